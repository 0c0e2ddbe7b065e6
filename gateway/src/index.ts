export { createGatewayApp, type GatewayApp, type GatewayAppOptions } from './app';
export { devIssuer, oidcIssuer, type TrustedIssuer } from './auth/authenticator';
export { gatewayMigrationsFolder } from './db/migrations';
export * as gatewaySchema from './db/schema';
export { RegistryRepository } from './registry/registry.repository';
export type { RegisteredInstitution } from './registry/registry.types';
export { createGatewaySchema, printGatewaySchema } from './schema';
