import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** A command's options, with the command and what was wrong with the line (nothing is done yet). */
export interface CommandLine<T extends ParseArgsOptionsConfig> {
  values: ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: true }>>['values'];
  command: string | undefined;
  /** Every problem at once: no or an unknown command, options the command does not take, extra arguments. */
  problems: string[];
}

/**
 * Reads an operator tool's command line: `<command> [--option …]`, where `accepted` says which options each
 * command takes. `--help` prints `usage` and exits 0; a line `parseArgs` cannot read goes to `refuse`.
 */
export function readCommandLine<T extends ParseArgsOptionsConfig>(
  options: T,
  accepted: Record<string, readonly string[]>,
  usage: string,
  refuse: (problems: string[]) => never,
): CommandLine<T> {
  let parsed: ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ options, strict: true, allowPositionals: true });
  } catch (error) {
    return refuse([(error as Error).message]);
  }
  const { values, positionals } = parsed;
  if ((values as Record<string, unknown>).help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const commands = Object.keys(accepted);
  const names = `${commands.slice(0, -1).join(', ')} or ${commands.at(-1)}`;
  const [command, ...extra] = positionals;
  const problems: string[] = [];
  if (command === undefined) problems.push(`a command is required: ${names}`);
  else if (!(command in accepted)) problems.push(`unknown command ${command}: ${names}`);
  else {
    for (const [option, value] of Object.entries(values as Record<string, unknown>)) {
      if (option !== 'help' && value !== undefined && value !== false && !accepted[command]!.includes(option)) {
        problems.push(`--${option} does not apply to ${command}`);
      }
    }
  }
  if (extra.length > 0) problems.push(`unexpected arguments: ${extra.join(' ')}`);
  return { values, command, problems };
}

/** The gateway database's URL from `DATABASE_URL`, or a problem added to `problems`. */
export function gatewayDatabaseUrl(problems: string[]): string {
  const url = process.env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) problems.push('DATABASE_URL must name the gateway database (postgres://…)');
  return url ?? '';
}
