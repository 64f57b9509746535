/** `locklens series`: placeholder while the series pipeline lands (see docs/series.md). */
export async function runSeries(_argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void; cwd: string }): Promise<number> {
  io.stderr('locklens series: not available yet in this build\n');
  return 2;
}
