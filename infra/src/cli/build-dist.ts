/**
 * `npx tsx infra/src/cli/build-dist.ts [--out DIR] [--minify]`: the production build (infra/deploy.md).
 * Bundles the gateway, the equipment service and the migration runner into `dist/server/*.mjs` with the SQL
 * migrations, GraphQL SDL and the built console beside them; run them with plain `node`. Build the console
 * first (`npm run build:console`).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../federation/processes';
import { buildServerBundles } from '../deploy/bundle';

const usage = 'usage: npx tsx infra/src/cli/build-dist.ts [--out DIR (default dist/server)] [--minify]';

function fail(message: string, code: number): never {
  process.stderr.write(`build-dist: ${message}\n`);
  process.exit(code);
}

let values: { out?: string; minify?: boolean; help?: boolean };
try {
  values = parseArgs({
    options: { out: { type: 'string' }, minify: { type: 'boolean' }, help: { type: 'boolean' } },
    strict: true,
  }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${usage}`, 2);
}
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const outDir = resolve(values.out ?? resolve(repoRoot, 'dist/server'));
try {
  const manifest = await buildServerBundles({ outDir, minify: values.minify ?? false });
  const sizes = Object.entries(manifest.bundles)
    .map(([name, b]) => `${name}.mjs ${(b.bytes / 1024).toFixed(0)} KiB`)
    .join(', ');
  process.stdout.write(`build-dist: ${sizes}; ${manifest.assets.length} asset files; into ${outDir} in ${manifest.ms} ms\n`);
} catch (error) {
  fail((error as Error).message, 1);
}
