/** Writing a report to --out or stdout. Creates parent folders of --out, nothing else. */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CliIO } from './io';

export function emit(io: CliIO, text: string, out: string | undefined): void {
  if (!out) {
    io.stdout(text.endsWith('\n') ? text : text + '\n');
    return;
  }
  const abs = path.resolve(io.cwd, out);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  io.stderr(`wrote ${path.relative(io.cwd, abs) || abs}\n`);
}
