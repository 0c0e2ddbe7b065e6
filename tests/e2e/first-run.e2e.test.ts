/**
 * The two commands from a fresh clone in a private (0700) folder, the way a researcher or CI gets one
 * (`mktemp -d`, a home directory): `npm ci`, then `npm start` brings the embedded PostgreSQL and the demo
 * federation up and Ctrl-C stops it all; the test bootstrap starts its own embedded server; a launcher
 * failure is one clear line and a non-zero exit. As root (CI) it runs as root and again as an ordinary user
 * (`nobody`) from a clone that user owns.
 */
import { spawn, execFileSync, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@kyoyo/db';

const repo = resolve(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;

let base: string;
let clone: string;
const leftovers: string[] = [];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a first run: none of this test run's PostgreSQL or ports (the development mailbox takes
 * free ones, so that a demo running on this machine does not stop it).
 */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', MAILBOX_SMTP_PORT: '0', MAILBOX_HTTP_PORT: '0', ...extra };
  for (const name of [
    'DATABASE_URL',
    'KYOYO_STATE_DIR',
    'VITEST',
    'VITEST_POOL_ID',
    'VITEST_WORKER_ID',
    'NODE_OPTIONS',
    'FORCE_COLOR',
  ]) {
    delete env[name];
  }
  return env;
}

/**
 * Runs a command to its end, or until `until` matches its output and then presses Ctrl-C: SIGINT to its
 * whole process group, as a terminal does.
 */
function runIn(
  command: string,
  args: string[],
  options: SpawnOptions & { until?: RegExp; timeoutMs: number },
): Promise<Run & { matched: boolean }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, name);
      } catch {
        // Already gone.
      }
    };
    let stdout = '';
    let stderr = '';
    let matched = false;
    const timer = setTimeout(() => {
      signal('SIGKILL');
      fail(new Error(`${command} ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, options.timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.until && !matched && options.until.test(stdout)) {
        matched = true;
        signal('SIGINT');
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, matched });
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

async function portFreedWithin(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await portIsFree(port)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `npm start` until the federation is ready, then Ctrl-C; returns where it said the cluster lives. */
async function startAndStop(dir: string, options: SpawnOptions = {}): Promise<string> {
  const [gatewayPort, servicePort, pgPort] = [await freePort(), await freePort(), await freePort()];
  const run = await runIn('npm', ['start', '--', '--institutions', '1'], {
    ...options,
    cwd: dir,
    env: cleanEnv({
      ...(options.env as Record<string, string> | undefined),
      PORT: String(gatewayPort),
      SERVICE_BASE_PORT: String(servicePort),
      KYOYO_PG_PORT: String(pgPort),
    }),
    until: /Kyoyo is ready/,
    timeoutMs: 240_000,
  });
  expect(run.matched, `npm start never became ready:\n${run.stdout}\n${run.stderr}`).toBe(true);
  // npm re-raises the SIGINT its script stopped on; the launcher itself stops cleanly.
  expect(run.code === 0 || run.signal === 'SIGINT', `${run.code} ${run.signal}\n${run.stderr}`).toBe(true);
  expect(run.stdout).toContain('stopping…');
  expect(run.stderr).not.toMatch(/^\s+at /m);
  // Ctrl-C took the embedded server down with everything else. The launcher waits for the postmaster to exit,
  // but on a loaded machine the kernel may release its port a moment after: allow it a few seconds, no more.
  expect(await portFreedWithin(pgPort, 10_000)).toBe(true);
  const dataDir = /PostgreSQL is up, data in (\S+)/.exec(run.stdout)?.[1];
  expect(dataDir, run.stdout).toBeTruthy();
  return dataDir!;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kyoyo-first-run-'));
  clone = join(base, 'kyoyo');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repo, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && existsSync(join(repo, file)));
  const list = join(base, 'files');
  await writeFile(list, files.join('\0'));
  execFileSync('mkdir', ['-p', clone]);
  execFileSync('bash', ['-c', `tar --null -T "${list}" -cf - | tar -xf - -C "${clone}"`], { cwd: repo });
  await chmod(clone, 0o700);
  const install = await runIn('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: clone,
    env: cleanEnv({}),
    timeoutMs: 240_000,
  });
  expect(install.code, install.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  for (const dir of leftovers) await rm(dir, { recursive: true, force: true });
  if (base) await rm(base, { recursive: true, force: true });
});

describe('first run from a clone in a private folder', () => {
  it('npm start brings the federation up and Ctrl-C stops everything', async () => {
    const dataDir = await startAndStop(clone);
    if (isRoot) {
      // The postgres system user cannot enter a root-only folder: the cluster lives where it can.
      expect(dataDir.startsWith('/var/lib/kyoyo/pg/')).toBe(true);
      leftovers.push(dataDir);
    } else {
      expect(dataDir).toBe(join(clone, '.kyoyo', 'pg'));
    }
    // A second start reuses the cluster.
    expect(await startAndStop(clone)).toBe(dataDir);
  }, 600_000);

  it('a taken PostgreSQL port is one clear line and exit code 1', async () => {
    const pgPort = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((done) => holder.listen(pgPort, '127.0.0.1', done));
    try {
      const run = await runIn('npm', ['start', '--', '--institutions', '1'], {
        cwd: clone,
        env: cleanEnv({ KYOYO_PG_PORT: String(pgPort), PORT: String(await freePort()) }),
        timeoutMs: 120_000,
      });
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^kyoyo: port ${pgPort} .*KYOYO_PG_PORT`));
    } finally {
      await new Promise((done) => holder.close(done));
    }
  }, 180_000);

  it('the test bootstrap starts its own embedded server', async () => {
    const run = await runIn('npx', ['vitest', 'run', '--project', 'int', 'packages/db/src/client.int.test.ts'], {
      cwd: clone,
      env: cleanEnv({ CI: 'true' }),
      timeoutMs: 240_000,
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/Tests\s+\d+ passed/);
  }, 300_000);

  it.runIf(isRoot)(
    'an ordinary user runs npm start from a clone it owns',
    async () => {
      const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' })));
      const home = join(clone, '.home');
      execFileSync('mkdir', ['-p', home]);
      execFileSync('chown', ['-R', `${uid}:${gid}`, base]);
      const dataDir = await startAndStop(clone, { uid, gid, env: { HOME: home, npm_config_cache: join(home, '.npm') } });
      expect(dataDir).toBe(join(clone, '.kyoyo', 'pg'));
    },
    600_000,
  );
});
