/**
 * `locklens demo`: the main job on the bundled examples/, as a newcomer's first run.
 * Prints findings; writes JSON/SARIF/HTML reports to .locklens-out/ (never into examples/).
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../host/dist-dir';
import type { CliIO } from './io';

export async function runDemo(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('--help')) {
    io.stdout('usage: locklens demo [--out DIR]   (default DIR: .locklens-out in the LockLens checkout)\n');
    return 0;
  }
  const root = packageRoot();
  const oi = argv.indexOf('--out');
  const outDir = oi >= 0 && argv[oi + 1] ? path.resolve(io.cwd, argv[oi + 1]!) : path.join(root, '.locklens-out');
  const examples = path.join(root, 'examples');
  const { main } = await import('../cli');
  const sub: CliIO = { ...io, cwd: root };
  let worst = 0;
  const step = async (title: string, args: string[]) => {
    io.stdout(`\n━━ ${title}\n$ locklens ${args.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}\n`);
    const code = await main(args, sub);
    // Findings (exit 1) are the point of the demo; only usage/internal errors fail it.
    if (code >= 2) worst = Math.max(worst, code);
  };

  const trees = ['kernel-dp', 'ovs-userspace'].filter((t) => existsSync(path.join(examples, t)));
  for (const t of trees) {
    const rel = path.relative(root, path.join(examples, t));
    await step(`analyze ${rel}`, ['analyze', rel]);
    for (const fmt of ['json', 'sarif', 'html']) {
      const out = path.join(outDir, `${t}.${fmt === 'sarif' ? 'sarif' : fmt}`);
      const code = await main(['analyze', rel, '--format', fmt, '--out', out], { ...sub, stdout: () => {} });
      if (code >= 2) worst = Math.max(worst, code);
    }
  }

  const seriesDir = path.join(examples, 'series');
  if (existsSync(seriesDir) && existsSync(path.join(examples, 'kernel-dp'))) {
    for (const mbox of readdirSync(seriesDir).filter((f) => f.endsWith('.mbox')).sort()) {
      const rel = path.relative(root, path.join(seriesDir, mbox));
      const base = path.relative(root, path.join(examples, 'kernel-dp'));
      await step(`series ${rel}`, ['series', '--base', base, '--mbox', rel, '--format', 'markdown']);
      for (const fmt of ['json', 'html']) {
        const code = await main(['series', '--base', base, '--mbox', rel, '--format', fmt, '--out', path.join(outDir, `${path.basename(mbox, '.mbox')}.series.${fmt}`)], { ...sub, stdout: () => {} });
        if (code >= 2) worst = Math.max(worst, code);
      }
    }
  }

  const scenario = path.join(examples, 'scenarios', 'netdev-rtnl-churn.json');
  if (existsSync(scenario)) {
    const rel = path.relative(root, scenario);
    const sweep = ['--sweep', 'n_ifaces=10,50,100', '--sweep', 'rtnl_delay_us=0,1000,10000', '--reps', '5', '--seed', '1'];
    await step(`simulate ${rel}`, ['simulate', '--scenario', rel, ...sweep]);
    for (const fmt of ['json', 'html']) {
      const code = await main(['simulate', '--scenario', rel, ...sweep, '--format', fmt, '--out', path.join(outDir, `netdev-rtnl-churn.sim.${fmt}`)], { ...sub, stdout: () => {} });
      if (code >= 2) worst = Math.max(worst, code);
    }
  }
  io.stdout(`\nReports written to ${path.relative(io.cwd, outDir) || outDir}/ (open the .html files in a browser).\n`);
  return worst;
}
