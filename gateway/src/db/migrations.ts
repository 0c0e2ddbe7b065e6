import { fileURLToPath } from 'node:url';

/** The committed migrations of the gateway's database. */
export const gatewayMigrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));
