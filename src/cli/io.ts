import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What every sub-command gets: output sinks and the working directory (tests pass fakes). */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
}

/** Bad usage / unreadable input: exit code 2 with a clear message. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type CliOptions = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs in strict mode; unknown or malformed options become a UsageError with the usage text. */
export function parseCliArgs<O extends CliOptions>(argv: string[], options: O, usage: string, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true as const });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${usage}`);
  }
}
