import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../federation/processes';
import { SERVER_ENTRIES } from './bundle';

/**
 * infra/docker-compose.yml checked without Docker Compose (`docker compose --env-file infra/.env.example -f
 * infra/docker-compose.yml config` does it where Compose is installed): its structure, its start order, and
 * that every variable it reads is in infra/.env.example.
 */
interface Service {
  image?: string;
  command?: string[];
  restart?: string;
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  user?: string;
}

const composeText = readFileSync(join(repoRoot, 'infra/docker-compose.yml'), 'utf8');
const envText = readFileSync(join(repoRoot, 'infra/.env.example'), 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = Object.entries(compose.services);
const env = new Map(
  envText
    .split('\n')
    .filter((line) => /^[A-Z0-9_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
);

const isOneShot = (s: Service) => s.restart === 'no';
const kyoyoImage = compose.services.gateway!.image!;

/** Compose's interpolation of `${VAR}`, `${VAR:-default}` and `${VAR:?error}` with the example's values. */
function interpolate(text: string): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const value = env.get(name);
    if (op === '?' && !value) throw new Error(`${name} is required: ${arg}`);
    if (op === '-' && !value) return arg ?? '';
    return value ?? '';
  });
}

/** The bundles a command runs (`dist/server/<name>.mjs`), wherever in it they appear (shell scripts too). */
const bundlesOf = (s: Service) => [...(s.command ?? []).join(' ').matchAll(/dist\/server\/([a-z-]+)\.mjs/g)].map((m) => m[1]!);

describe('infra/docker-compose.yml', () => {
  it('has the three institutions, their databases, the gateway and its database', () => {
    const codes = services.filter(([, s]) => bundlesOf(s).includes('equipment')).map(([, s]) => s.environment!.INSTITUTION_CODE);
    expect(codes.sort()).toEqual(['kyoto-u', 'kyushu-u', 'tohoku-u']);
    expect(services.filter(([, s]) => s.image?.includes('POSTGRES_IMAGE'))).toHaveLength(4);
    expect(interpolate(compose.services['db-tohoku-u']!.image!)).toBe('postgres:16');
    expect(bundlesOf(compose.services.gateway!)).toEqual(['gateway']);
  });

  it('gives every long-running service a healthcheck; one-shot services exit and are waited for to succeed', () => {
    for (const [name, s] of services) {
      if (isOneShot(s)) expect(s.healthcheck, name).toEqual({ disable: true });
      else {
        expect(s.restart, name).toBe('unless-stopped');
        expect(s.healthcheck?.test?.[0], name).toMatch(/^CMD/);
        expect(s.healthcheck?.disable, name).toBeUndefined();
      }
    }
  });

  it('depends only on services that exist, with the condition their kind allows, and without cycles', () => {
    for (const [name, s] of services) {
      for (const [target, { condition }] of Object.entries(s.depends_on ?? {})) {
        const dependency = compose.services[target];
        expect(dependency, `${name} depends on ${target}`).toBeDefined();
        expect(condition, `${name} → ${target}`).toBe(
          isOneShot(dependency!) ? 'service_completed_successfully' : 'service_healthy',
        );
      }
    }
    const order: string[] = [];
    const visiting = new Set<string>();
    const visit = (name: string) => {
      if (order.includes(name)) return;
      if (visiting.has(name)) throw new Error(`dependency cycle through ${name}`);
      visiting.add(name);
      for (const target of Object.keys(compose.services[name]!.depends_on ?? {})) visit(target);
      visiting.delete(name);
      order.push(name);
    };
    for (const [name] of services) visit(name);
    expect(order.indexOf('gateway')).toBe(order.length - 1);
  });

  it('migrates each database before its process starts, from the database that process uses', () => {
    for (const [name, s] of services.filter(([, s]) => !isOneShot(s) && s.image === kyoyoImage)) {
      const migrations = Object.keys(s.depends_on ?? {}).filter((t) => bundlesOf(compose.services[t]!).includes('migrate'));
      expect(migrations, name).toHaveLength(1);
      const migrate = compose.services[migrations[0]!]!;
      expect(migrate.environment!.DATABASE_URL, name).toBe(s.environment!.DATABASE_URL);
      expect(migrate.command!.slice(-2), name).toEqual(['--target', bundlesOf(s)[0] === 'gateway' ? 'gateway' : 'equipment']);
      const host = new URL(interpolate(s.environment!.DATABASE_URL!)).hostname;
      expect(s.depends_on![host]?.condition, `${name} waits for its database ${host}`).toBe('service_healthy');
    }
  });

  it('registers every institution at its own service, after checking it, before the gateway starts', () => {
    const registry = compose.services.registry!;
    const script = registry.command!.join(' ');
    const entries = [...script.matchAll(/add --check --code (\S+) .*?--service-url (\S+)/g)].map((m) => [
      m[1],
      new URL(m[2]!).hostname,
    ]);
    expect(entries.sort()).toEqual(
      services
        .filter(([, s]) => bundlesOf(s).includes('equipment'))
        .map(([name, s]) => [s.environment!.INSTITUTION_CODE, name])
        .sort(),
    );
    expect(registry.environment!.DATABASE_URL).toBe(compose.services.gateway!.environment!.DATABASE_URL);
    for (const [, host] of entries) expect(registry.depends_on![host!]?.condition).toBe('service_healthy');
    expect(compose.services.gateway!.depends_on!.registry?.condition).toBe('service_completed_successfully');
  });

  it('hands the signing key to the gateway and its public half to the services, read-only', () => {
    const keys = compose.services.keys!;
    expect(bundlesOf(keys)).toEqual(['keys', 'keys']);
    expect(keys.volumes).toEqual(['keys:/keys']);
    expect(compose.services.gateway!.environment!.GATEWAY_SIGNING_JWK_FILE).toBe('/keys/gateway.jwk.json');
    for (const [name, s] of services.filter(([, s]) => bundlesOf(s).includes('equipment'))) {
      expect(s.environment!.GATEWAY_PUBLIC_JWK_FILE, name).toBe('/keys/gateway.pub.jwk.json');
      expect(s.volumes, name).toEqual(['keys:/keys:ro']);
      expect(s.depends_on!.keys?.condition, name).toBe('service_completed_successfully');
    }
  });

  it('runs only bundles the production build makes, as a non-root user but for the key step', () => {
    for (const [name, s] of services.filter(([, s]) => s.image === kyoyoImage)) {
      expect(bundlesOf(s).length, name).toBeGreaterThan(0);
      for (const bundle of bundlesOf(s)) expect(Object.keys(SERVER_ENTRIES), name).toContain(bundle);
      if (name !== 'keys') expect(s.user, name).toBeUndefined();
    }
  });

  it('publishes the gateway only, and declares every named volume it mounts', () => {
    expect(services.filter(([, s]) => s.ports).map(([name]) => name)).toEqual(['gateway']);
    expect(interpolate(compose.services.gateway!.ports![0]!)).toBe('127.0.0.1:4000:8080');
    for (const [name, s] of services)
      for (const volume of s.volumes ?? []) expect(Object.keys(compose.volumes), name).toContain(volume.split(':')[0]);
  });

  it('reads only variables that infra/.env.example sets, and .env.example sets none it does not read', () => {
    const bare = composeText.split('\n').filter((line) => /\$(?![{$])/.test(line.replace(/#.*$/, '')));
    expect(bare, 'variables are written ${NAME}').toEqual([]);
    const used = new Set([...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));
    expect([...used].filter((name) => !env.has(name))).toEqual([]);
    expect([...env.keys()].filter((name) => !used.has(name))).toEqual([]);
    expect(() => interpolate(composeText)).not.toThrow();
    for (const [name, s] of services)
      if (s.environment?.DATABASE_URL) expect(new URL(interpolate(s.environment.DATABASE_URL)).protocol, name).toBe('postgres:');
  });

  it('refuses to start without the required settings', () => {
    for (const required of ['GATEWAY_DB_PASSWORD', 'TOHOKU_U_DB_PASSWORD', 'OIDC_ISSUER', 'OIDC_JWKS_URL'])
      expect(composeText).toMatch(new RegExp(`\\$\\{${required}:\\?`));
  });
});
