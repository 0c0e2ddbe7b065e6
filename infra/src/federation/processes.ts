import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is infra/src/federation/processes.ts). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A child process of the federation, its output going to a log file. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Starts a TypeScript entry point of this repository (run through tsx) with `env`, writing its stdout
 * and stderr to `logFile`. `onExit` hears about exits that were not asked for.
 */
export function startProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  logFile: string,
  onExit: (name: string, code: number | null) => void,
): ManagedProcess {
  const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      log.end();
      resolve(code);
      onExit(name, code);
    });
  });
  return { name, child, logFile, exited };
}

/** Sends SIGTERM to every process and waits for them (SIGKILL after `graceMs`). */
export async function stopAll(processes: readonly ManagedProcess[], graceMs = 10_000): Promise<void> {
  await Promise.all(
    processes.map(async (p) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) return;
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
      await p.exited;
      clearTimeout(timer);
    }),
  );
}
