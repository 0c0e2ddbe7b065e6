import { defineConfig } from 'drizzle-kit';

/** Migrations of the gateway's database. `npm run db:generate` from the repository root. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './gateway/src/db/schema.ts',
  out: './gateway/migrations',
  strict: true,
  verbose: true,
});
