// The real trees LockLens is judged on, built from a local git dir of openvswitch/ovs (never
// committed: third-party code stays outside the repository).
//   LOCKLENS_OVS_GIT=/path/to/ovs.git   a clone (bare or not) of openvswitch/ovs
//   LOCKLENS_KERNEL_DIR=/path/to/tree   optional: current kernel files (net/openvswitch, net/core/rtnetlink.c, ...)
//   LOCKLENS_CORPORA=/path              where the corpora are written (default: ~/.cache/locklens-corpora)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CORPORA = [
  // name, git revision, paths to archive, paths to drop after extraction, the root analysed
  { name: 'ovs-userspace', rev: 'HEAD', paths: ['lib', 'ofproto', 'vswitchd', 'include'], drop: [], root: '.' },
  { name: 'ovs-datapath', rev: 'v2.17.0', paths: ['datapath'], drop: ['datapath/linux'], root: 'datapath' },
];

export function corporaDir() {
  return process.env.LOCKLENS_CORPORA || join(homedir(), '.cache', 'locklens-corpora');
}

function git(gitDir, args) {
  const r = spawnSync('git', ['--git-dir', gitDir, ...args], { encoding: 'buffer', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.toString().trim()}`);
  return r.stdout;
}

function resolveGitDir(p) {
  if (existsSync(join(p, '.git'))) return join(p, '.git');
  if (existsSync(join(p, 'HEAD')) && existsSync(join(p, 'objects'))) return p;
  const r = spawnSync('git', ['-C', p, 'rev-parse', '--git-dir'], { encoding: 'utf8' });
  if (r.status === 0) return join(p, r.stdout.trim());
  throw new Error(`LOCKLENS_OVS_GIT=${p} is not a git directory`);
}

/**
 * Extracts each corpus once per commit (a stamp file records the commit). Returns
 * `[{ name, dir, commit }]`, or `null` with a reason when the environment does not name a git dir.
 */
export function buildCorpora(log = console.error) {
  const src = process.env.LOCKLENS_OVS_GIT;
  if (!src) return { corpora: null, reason: 'LOCKLENS_OVS_GIT is not set (a local git dir of openvswitch/ovs)' };
  const gitDir = resolveGitDir(src);
  const out = [];
  for (const c of CORPORA) {
    const commit = git(gitDir, ['rev-parse', `${c.rev}^{commit}`]).toString().trim();
    const dir = join(corporaDir(), c.name);
    const stamp = join(dir, '.locklens-corpus');
    if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== commit) {
      log(`accuracy: extracting ${c.name} at ${c.rev} (${commit.slice(0, 12)})`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const tar = git(gitDir, ['archive', '--format=tar', commit, ...c.paths]);
      const r = spawnSync('tar', ['-x', '-C', dir], { input: tar });
      if (r.status !== 0) throw new Error(`tar failed for ${c.name}`);
      for (const d of c.drop) rmSync(join(dir, d), { recursive: true, force: true });
      writeFileSync(stamp, commit + '\n');
    }
    out.push({ name: c.name, dir: join(dir, c.root), commit });
  }
  const kdir = process.env.LOCKLENS_KERNEL_DIR;
  if (kdir) {
    if (!existsSync(kdir)) throw new Error(`LOCKLENS_KERNEL_DIR=${kdir} does not exist`);
    out.push({ name: 'kernel', dir: kdir, commit: 'files' });
  }
  return { corpora: out, reason: null };
}
