/**
 * `npm run db:migrate -- --target equipment|gateway`: applies the committed migrations to the database
 * named by DATABASE_URL (an institution's equipment database, or the gateway's).
 */
import { parseArgs } from 'node:util';
import { equipmentMigrationsFolder, runMigrations } from '@kyoyo/db';
import { gatewayMigrationsFolder } from '@kyoyo/gateway';

const folders = { equipment: equipmentMigrationsFolder, gateway: gatewayMigrationsFolder } as const;

function fail(message: string): never {
  process.stderr.write(
    `db:migrate: ${message}\nusage: DATABASE_URL=postgres://… npm run db:migrate -- --target equipment|gateway\n`,
  );
  process.exit(2);
}

let target: string | undefined;
try {
  target = parseArgs({ options: { target: { type: 'string' } }, strict: true }).values.target;
} catch (error) {
  fail((error as Error).message);
}
if (target !== 'equipment' && target !== 'gateway') fail('--target must be equipment or gateway');
const url = process.env.DATABASE_URL;
if (!url || !/^postgres(ql)?:\/\//.test(url)) fail('DATABASE_URL must name the database to migrate (postgres://…)');

const started = Date.now();
await runMigrations(url, folders[target]);
process.stdout.write(`db:migrate: ${target} migrations applied in ${Date.now() - started} ms\n`);
