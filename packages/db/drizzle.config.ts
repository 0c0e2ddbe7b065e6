import { defineConfig } from 'drizzle-kit';

/** Migrations of an institution's equipment database. `npm run db:generate` from the repository root. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/db/src/equipment/schema.ts',
  out: './packages/db/migrations/equipment',
  casing: undefined,
  strict: true,
  verbose: true,
});
