export { startEmbeddedPostgres, freePort, ROOT_DATA_ROOT, type EmbeddedServer, type EmbeddedOptions } from './server';
export { EmbeddedPostgresError, isEmbeddedPostgresError, type EmbeddedPostgresErrorCode } from './embedded-errors';
export { ROOT_BINARY_CACHE } from './binaries';
