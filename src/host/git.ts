/**
 * Read-only git access for `series --range` / `--worktree`. Every call is an argv array (no
 * shell), with a timeout, and with the repository-configured ways of running code switched
 * off: hooks, fsmonitor, external diff, textconv, pager. Nothing here checks out, stashes or
 * writes the index (optional locks off), so the user's working tree is never touched.
 */
import { spawn } from 'node:child_process';

export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

/** `-c` overrides that beat repository config: no hook, monitor, external diff or pager runs. */
export const SAFE_GIT_CONFIG = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'core.untrackedCache=false',
  '-c', 'diff.external=',
  '-c', 'core.pager=cat',
  '-c', 'pager.diff=false',
  '-c', 'pager.show=false',
  '-c', 'pager.log=false',
  '-c', 'core.attributesFile=/dev/null',
  '-c', 'protocol.allow=never',
  '-c', 'credential.helper=',
  '-c', 'core.sshCommand=false',
];

/** Options for every command that produces a diff. */
export const SAFE_DIFF_OPTS = ['--no-ext-diff', '--no-textconv', '--no-color', '--full-index', '-M', '--src-prefix=a/', '--dst-prefix=b/', '--no-relative'];

export interface GitRunOptions {
  input?: Uint8Array | string;
  timeoutMs?: number;
  maxBytes?: number;
}

export function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Keep only what git needs to find itself; drop GIT_* variables that redirect it.
  for (const k of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'SYSTEMROOT', 'TMPDIR']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return {
    ...env,
    GIT_OPTIONAL_LOCKS: '0',
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    GIT_EXTERNAL_DIFF: '',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_NO_REPLACE_OBJECTS: '1',
  };
}

/**
 * Filter drivers named in `.gitattributes` (clean/smudge/process) would run when git reads
 * the working tree; their names are only known from the config, so each one found is blanked.
 */
const driverOverrides = new Map<string, Promise<string[]>>();

function neutraliseDrivers(repo: string): Promise<string[]> {
  let p = driverOverrides.get(repo);
  if (!p) {
    p = spawnGit(repo, ['config', '-z', '--get-regexp', '^(filter|diff)\\.'], {})
      .then((out) => {
        const args: string[] = [];
        const seen = new Set<string>();
        for (const rec of out.toString('utf8').split('\0')) {
          const m = /^(filter|diff)\.(.+)\.([^.\n]+)(?:\n|$)/.exec(rec);
          if (!m || seen.has(`${m[1]}.${m[2]}`)) continue;
          seen.add(`${m[1]}.${m[2]}`);
          if (m[1] === 'filter') {
            args.push('-c', `filter.${m[2]}.clean=`, '-c', `filter.${m[2]}.smudge=`, '-c', `filter.${m[2]}.process=`, '-c', `filter.${m[2]}.required=false`);
          } else {
            args.push('-c', `diff.${m[2]}.textconv=`, '-c', `diff.${m[2]}.command=`);
          }
        }
        return args;
      })
      // `git config --get-regexp` exits 1 when nothing matches.
      .catch(() => []);
    driverOverrides.set(repo, p);
  }
  return p;
}

export async function runGit(repo: string, args: string[], opts: GitRunOptions = {}): Promise<Buffer> {
  const extra = await neutraliseDrivers(repo);
  return spawnGit(repo, [...extra, ...args], opts);
}

function spawnGit(repo: string, args: string[], opts: GitRunOptions): Promise<Buffer> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...SAFE_GIT_CONFIG, '-C', repo, ...args], { env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (e: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve(Buffer.concat(out));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new GitError(`git ${args.filter((a) => !a.includes('=')).find((a) => a !== '-c') ?? ''} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size > maxBytes) {
        child.kill('SIGKILL');
        finish(new GitError(`git ${args[0]} produced more than ${maxBytes} bytes`));
      } else out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => finish(new GitError(`cannot run git: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) finish(null);
      else finish(new GitError(`git ${args.join(' ')} failed (exit ${code}): ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.on('error', () => undefined);
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

const text = async (p: Promise<Buffer>) => (await p).toString('utf8');

export async function repoTopLevel(dir: string): Promise<string> {
  return (await text(runGit(dir, ['rev-parse', '--show-toplevel']))).trim();
}

/** Resolves a revision to a commit id; rejects option-looking input before git sees it. */
export async function resolveCommit(repo: string, rev: string): Promise<string> {
  if (rev === '' || rev.startsWith('-') || /[\s\0]/.test(rev)) throw new GitError(`invalid revision "${rev}"`);
  try {
    return (await text(runGit(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]))).trim();
  } catch {
    throw new GitError(`unknown revision "${rev}" in ${repo}`);
  }
}

/** `A..B` → [A, B] (both commit ids). `A...B` is refused: a series has one base. */
export async function resolveRange(repo: string, range: string): Promise<{ base: string; tip: string }> {
  const m = /^([^.]+(?:\.[^.]+)*)\.\.([^.]+(?:\.[^.]+)*)$/.exec(range);
  if (!m || range.includes('...')) throw new GitError(`--range expects A..B, got "${range}"`);
  return { base: await resolveCommit(repo, m[1]), tip: await resolveCommit(repo, m[2]) };
}

export async function listCommits(repo: string, base: string, tip: string): Promise<string[]> {
  const out = await text(runGit(repo, ['rev-list', '--reverse', '--no-merges', '--topo-order', `${base}..${tip}`]));
  return out.split('\n').filter(Boolean);
}

export interface CommitPatch {
  sha: string;
  author: string;
  subject: string;
  message: string;
  diff: string;
}

export async function commitPatch(repo: string, sha: string): Promise<CommitPatch> {
  const raw = await text(runGit(repo, ['show', ...SAFE_DIFF_OPTS, '--format=%H%x00%an <%ae>%x00%s%x00%B%x00', sha]));
  const [h, author, subject, message, rest] = raw.split('\0');
  return { sha: h, author, subject, message: message.trim(), diff: (rest ?? '').replace(/^\n+/, '') };
}

export interface TreeEntry {
  mode: string;
  sha: string;
  path: string;
}

export async function listTree(repo: string, rev: string): Promise<TreeEntry[]> {
  const out = await text(runGit(repo, ['ls-tree', '-r', '-z', '--full-tree', rev]));
  const entries: TreeEntry[] = [];
  for (const rec of out.split('\0')) {
    const m = /^(\d+) blob ([0-9a-f]+)\t(.+)$/s.exec(rec);
    if (m) entries.push({ mode: m[1], sha: m[2], path: m[3] });
  }
  return entries;
}

/** Reads many blobs with one `git cat-file --batch`. */
export async function readBlobs(repo: string, shas: string[]): Promise<Map<string, Buffer>> {
  const result = new Map<string, Buffer>();
  if (shas.length === 0) return result;
  const unique = [...new Set(shas)];
  const out = await runGit(repo, ['cat-file', '--batch'], { input: unique.join('\n') + '\n' });
  let pos = 0;
  while (pos < out.length) {
    const nl = out.indexOf(0x0a, pos);
    if (nl < 0) break;
    const header = out.subarray(pos, nl).toString('utf8');
    const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
    pos = nl + 1;
    if (!m) continue; // "<sha> missing"
    const size = +m[3];
    result.set(m[1], out.subarray(pos, pos + size));
    pos += size + 1;
  }
  return result;
}

/** Working-tree changes against HEAD (tracked files), as one diff. */
export async function worktreeDiff(repo: string): Promise<string> {
  return text(runGit(repo, ['diff', ...SAFE_DIFF_OPTS, 'HEAD', '--']));
}
