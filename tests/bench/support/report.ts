import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** BENCHMARKS.md at the repository root. */
const BENCHMARKS = fileURLToPath(new URL('../../../BENCHMARKS.md', import.meta.url));

/** The machine a run measured: CPU model and count, memory, Node and PostgreSQL versions, and the date. */
export function machine(postgresVersion: string): string {
  const cpu = cpus();
  return (
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
    `Node ${process.version}, ${postgresVersion}; ${new Date().toISOString().slice(0, 10)}`
  );
}

/** A Markdown table: right-aligned where every value of a column is a number. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const numeric = header.map((_, c) => rows.every((r) => typeof r[c] === 'number'));
  const cell = (v: string | number) => (typeof v === 'number' ? v.toLocaleString('en-US') : v);
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, c) => (numeric[c] ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Prints `body` and writes it into BENCHMARKS.md as the section between `<!-- bench:name -->` and
 * `<!-- /bench:name -->` (appended when the file has no such section), so each benchmark owns its part.
 */
export function publish(name: string, body: string): void {
  // eslint-disable-next-line no-console
  console.info(`\n${body}\n`);
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const text = readFileSync(BENCHMARKS, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const updated =
    from >= 0 && to > from ? text.slice(0, from) + section + text.slice(to + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(BENCHMARKS, updated);
}
