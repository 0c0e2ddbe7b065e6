export { createGatewayApp, type GatewayApp, type GatewayAppOptions } from './app';
export { devIssuer, oidcIssuer, type TrustedIssuer } from './auth/authenticator';
export { gatewayMigrationsFolder } from './db/migrations';
export * as gatewaySchema from './db/schema';
export { RegistryRepository } from './registry/registry.repository';
export { RoleGrantsRepository } from './roles/role-grants.repository';
export type { RegisteredInstitution } from './registry/registry.types';
export { createGatewaySchema, printGatewaySchema } from './schema';
// The documents the gateway sends to services: a client of one service (the benchmarks' centralised peer)
// asks exactly what the gateway asks.
export { INSTRUMENT_FIELDS, LOCAL_SEARCH } from './instruments/instruments.documents';
export { CREATE_BOOKING, QUOTE_BOOKING } from './bookings/bookings.documents';
export { EQUIVALENT_INSTRUMENTS } from './duplicate-checks/duplicate-checks.documents';
export { SHARING_STATS } from './reports/reports.documents';
