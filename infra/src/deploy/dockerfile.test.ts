import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../federation/processes';
import { SERVER_ENTRIES } from './bundle';

/**
 * The Dockerfile checked without a Docker engine: the dependency layer is built from every workspace's manifest,
 * the build runs the production build, and the runtime image holds only the bundles, as a non-root user.
 */
interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions by stage (`FROM … AS name`), continuation lines joined and comments dropped. */
function stages(text: string): Map<string, Instruction[]> {
  const lines = text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'));
  const result = new Map<string, Instruction[]>();
  let current: Instruction[] | undefined;
  for (const line of lines) {
    const [, keyword, args] = /^\s*(\S+)\s+(.*)$/.exec(line)!;
    if (keyword === 'FROM') {
      current = [];
      result.set(/\bAS\s+(\S+)/i.exec(args!)![1]!, current);
    }
    current?.push({ keyword: keyword!, args: args! });
  }
  return result;
}

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const byStage = stages(dockerfile);
const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };

/** Workspace folders of the root package.json (`packages/*` expanded). */
function workspaces(): string[] {
  return root.workspaces.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(repoRoot, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => `${pattern.slice(0, -2)}/${d.name}`)
      : [pattern],
  );
}

describe('Dockerfile', () => {
  it('has the deps, build and runtime stages in that order', () => {
    expect([...byStage.keys()]).toEqual(['deps', 'build', 'runtime']);
  });

  it("installs from the lockfile and every workspace's package.json, before the sources come in", () => {
    const deps = byStage.get('deps')!;
    const install = deps.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(install).toBeGreaterThan(0);
    const copied = deps
      .slice(0, install)
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    for (const dir of workspaces()) expect(copied, dir).toContain(`${dir}/package.json`);
  });

  it('builds the console and the server bundles', () => {
    const runs = byStage
      .get('build')!
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args);
    expect(runs.join(' && ')).toMatch(/npm run build:console && npx tsx infra\/src\/cli\/build-dist\.ts/);
  });

  it('runs the bundles alone, in production, as a non-root user, with a health check', () => {
    const runtime = byStage.get('runtime')!;
    const copies = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toEqual(['--from=build /src/dist/server ./dist/server']);
    expect(runtime.filter((i) => i.keyword === 'RUN')).toEqual([]);
    const env = runtime
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    expect(env).toMatch(/HOST=0\.0\.0\.0/);
    const user = runtime.find((i) => i.keyword === 'USER')!.args;
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    const healthcheck = runtime.find((i) => i.keyword === 'HEALTHCHECK')!.args;
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*fetch\('http:\/\/127\.0\.0\.1:'\+process\.env\.PORT\+'\/healthz'/);
    expect(runtime.find((i) => i.keyword === 'CMD')!.args).toBe('["node", "dist/server/gateway.mjs"]');
  });

  it('names only bundles the production build makes', () => {
    const named = [...dockerfile.matchAll(/dist\/server\/([a-z-]+)\.mjs/g)].map((m) => m[1]!);
    expect(new Set(named)).toEqual(new Set(Object.keys(SERVER_ENTRIES)));
  });

  it('keeps local builds, dependencies and secrets out of the build context', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '.git', '.kyoyo', '.env*']) expect(ignored).toContain(pattern);
  });
});
