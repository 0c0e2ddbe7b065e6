export * from './identity';
export * from './keys';
export * from './key-set';
export * from './tokens';
export * from './dev-keys';
export * from './policies';
export type { CryptoKey, JWK } from 'jose';
