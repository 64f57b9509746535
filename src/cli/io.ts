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
