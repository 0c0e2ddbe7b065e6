import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateKeyPair, type KeyPair } from './keys';

/** The repository's git-ignored state directory (`.kyoyo/`): embedded database, development keys. */
export const defaultStateDir = fileURLToPath(new URL('../../../.kyoyo', import.meta.url));

/** Paths of the development keys under a state directory. */
export function devKeyPaths(stateDir: string): { issuer: string; gateway: string } {
  return { issuer: join(stateDir, 'keys', 'dev-issuer.jwk.json'), gateway: join(stateDir, 'keys', 'gateway.jwk.json') };
}

/** The development identity issuer's key (used by `npm run token` and accepted by the demo gateway). */
export function devIssuerKey(stateDir: string): Promise<KeyPair> {
  return loadOrCreateKeyPair(devKeyPaths(stateDir).issuer);
}

/** The gateway's key for signing calls to services, in development. */
export function devGatewayKey(stateDir: string): Promise<KeyPair> {
  return loadOrCreateKeyPair(devKeyPaths(stateDir).gateway);
}
