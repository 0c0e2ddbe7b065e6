/** `npm run build:console [-- --development]`: builds the web console into packages/console/dist/web. */
import { parseArgs } from 'node:util';
import { buildConsole, CONSOLE_DIST } from '../build';

let development = false;
try {
  development = parseArgs({ options: { development: { type: 'boolean', default: false } }, strict: true }).values.development;
} catch (error) {
  process.stderr.write(`build:console: ${(error as Error).message}\nusage: npm run build:console [-- --development]\n`);
  process.exit(2);
}
try {
  const { files, ms } = await buildConsole({ development });
  const sizes = files.map((f) => `${f.name} ${(f.bytes / 1024).toFixed(0)} KiB`).join(', ');
  process.stdout.write(`console built in ${ms.toFixed(0)} ms into ${CONSOLE_DIST}: ${sizes}\n`);
} catch (error) {
  process.stderr.write(`build:console: ${(error as Error).message}\n`);
  process.exit(1);
}
