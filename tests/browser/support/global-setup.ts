/** Builds the web console once before the browser tests (they drive what the gateway serves). */
import { buildConsole } from '@kyoyo/console';

export default async function setup(): Promise<void> {
  const { ms } = await buildConsole({ development: true });
  process.stdout.write(`browser tests: console built in ${ms.toFixed(0)} ms\n`);
}
