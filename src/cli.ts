/**
 * `bin/locklens` entry: dispatches to one module per sub-command. Every sub-command returns an
 * exit code: 0 ok, 1 findings at/above --fail-on, 2 bad usage or unreadable input.
 */
import { UsageError, type CliIO } from './cli/io';
import { VERSION } from './cli/version';

const USAGE = `LockLens ${VERSION} — lock-graph analysis for Linux kernel and Open vSwitch C code

usage: locklens <command> [options]

commands:
  analyze <path>...    analyse a tree: findings, lock-order graph, entry contexts (text/json/sarif/html)
  series ...           what a patch series does to the lock graph, patch by patch
  simulate ...         simulated contention timings before/after (scenario sweeps)
  demo                 run the main job on the bundled examples/ (reports go to .locklens-out/)
  bench ...            parse-only vs full-analysis timings, memory, incremental latency
  help <command>       options of a command

Run 'locklens <command> --help' for details. Docs: docs/cli.md`;

type Runner = (argv: string[], io: CliIO) => Promise<number>;

async function load(cmd: string): Promise<Runner | null> {
  switch (cmd) {
    case 'analyze':
      return (await import('./cli/analyze')).runAnalyze;
    case 'series':
      return (await import('./cli/series')).runSeries;
    case 'simulate':
      return (await import('./cli/simulate')).runSimulate;
    case 'demo':
      return (await import('./cli/demo')).runDemo;
    case 'bench':
      return (await import('./cli/bench')).runBench;
    default:
      return null;
  }
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    if (cmd === 'help' && rest[0]) return main([rest[0], '--help'], io);
    io.stdout(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-V') {
    io.stdout(VERSION + '\n');
    return 0;
  }
  const run = await load(cmd);
  if (!run) {
    io.stderr(`locklens: unknown command "${cmd}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`locklens ${cmd}: ${e.message}\n`);
      return 2;
    }
    io.stderr(`locklens ${cmd}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 3;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    cwd: process.cwd(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`locklens: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 3;
    },
  );
}
