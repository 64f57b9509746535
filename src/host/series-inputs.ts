/**
 * Reads what `locklens series` analyses from disk or git, read-only: an mbox, a folder of
 * patches, a git range `A..B`, the working-tree diff, and the base tree (a directory or a git
 * revision). Paths named by patches are checked (engine `normalizePatchPath`) before any read,
 * and symlinks leaving the base directory are not followed.
 */
import { promises as fsp, realpathSync } from 'node:fs';
import * as path from 'node:path';
import type { LockLensConfig } from '../engine/config';
import { assembleSeries } from '../engine/series/assemble';
import { readMailFile, looksLikeRfc822, type MailMessage } from '../engine/series/mail';
import { normalizePatchPath } from '../engine/series/safe-path';
import type { ParsedSeries, SeriesProblem } from '../engine/series/types';
import { commitPatch, listCommits, listTree, readBlobs, resolveRange, resolveCommit, worktreeDiff } from './git';
import { matchesAny } from './glob';

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export interface SeriesInput {
  parsed: ParsedSeries;
  /** Base tree from git (range / worktree), or null when the caller reads `--base` itself. */
  base: Map<string, string> | null;
  /** Human-readable description of the base, for the report. */
  baseLabel: string | null;
  problems: SeriesProblem[];
}

async function readBytes(file: string, what: string): Promise<Uint8Array> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) throw new InputError(`cannot read ${what} ${file}: not a file`);
    return await fsp.readFile(file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export async function readMbox(file: string): Promise<ParsedSeries> {
  const bytes = await readBytes(file, '--mbox');
  return assembleSeries(await readMailFile(bytes, path.basename(file)));
}

const PATCH_FILE = /\.(?:patch|diff|mbox|eml)$/i;

/** A folder of `.patch`/`.diff` files: mails (format-patch) or bare diffs, ordered by N/M or name. */
export async function readPatchFolder(dir: string): Promise<ParsedSeries> {
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).filter((n) => PATCH_FILE.test(n));
  } catch (e) {
    throw new InputError(`cannot read --patches ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const messages: MailMessage[] = [];
  for (const n of names) {
    const bytes = await readBytes(path.join(dir, n), 'patch');
    const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
    if (/^From \S+ /.test(head) || looksLikeRfc822(head)) messages.push(...(await readMailFile(bytes, n)));
    else messages.push({ subject: n.replace(/\.(?:patch|diff)$/i, ''), author: '', body: Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n'), origin: n, archivePage: false, notes: [] });
  }
  if (messages.length === 0) throw new InputError(`--patches ${dir}: no .patch or .diff files in the folder`);
  return assembleSeries(messages, { orderByName: true });
}

/** Paths any patch reads from the base (old side), already validated. */
export function pathsNeeded(parsed: ParsedSeries): string[] {
  const out = new Set<string>();
  for (const p of parsed.patches) for (const f of p.files) if (f.oldPath) out.add(f.oldPath);
  return [...out];
}

export const isSourcePath = (config: LockLensConfig) => (p: string) => matchesAny(p, config.include) && !matchesAny(p, config.exclude);

/**
 * Reads the base directory: every analysable source plus the other files the patches modify.
 * Never follows a path out of the directory.
 */
export async function readBaseDir(root: string, config: LockLensConfig, extra: string[]): Promise<{ tree: Map<string, string>; problems: SeriesProblem[] }> {
  const tree = new Map<string, string>();
  const problems: SeriesProblem[] = [];
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch (e) {
    throw new InputError(`cannot read --base ${root}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const isSource = isSourcePath(config);
  const skipDirs = new Set(['.git', 'node_modules', '.hg', '.svn']);
  const readOne = async (rel: string) => {
    const abs = path.join(realRoot, rel);
    let real: string;
    try {
      real = await fsp.realpath(abs);
    } catch {
      return; // absent: the patch will say the file does not exist
    }
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
      problems.push({ severity: 'warning', code: 'symlink-outside-root', file: rel, message: `skipped ${rel}: it points outside the base tree` });
      return;
    }
    const st = await fsp.stat(real);
    if (!st.isFile()) return;
    if (st.size > config.maxFileBytes && isSource(rel)) {
      problems.push({ severity: 'warning', code: 'file-too-large', file: rel, message: `skipped ${rel}: ${st.size} bytes exceeds maxFileBytes (${config.maxFileBytes})` });
      return;
    }
    tree.set(rel, (await fsp.readFile(real)).toString('utf8'));
  };
  const walk = async (relDir: string): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(path.join(realRoot, relDir), { withFileTypes: true });
    } catch (e) {
      problems.push({ severity: 'error', code: 'unreadable-dir', file: relDir, message: `cannot list ${relDir || '.'}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!skipDirs.has(e.name) && !matchesAny(rel + '/', config.exclude)) await walk(rel);
      } else if ((e.isFile() || e.isSymbolicLink()) && isSource(rel)) await readOne(rel);
    }
  };
  await walk('');
  for (const p of extra) {
    const safe = normalizePatchPath(p);
    if (safe.ok && !tree.has(safe.path)) await readOne(safe.path);
  }
  return { tree, problems };
}

async function treeAt(repo: string, rev: string, config: LockLensConfig, extra: string[]): Promise<Map<string, string>> {
  const isSource = isSourcePath(config);
  const want = new Set(extra);
  const entries = (await listTree(repo, rev)).filter((e) => e.mode !== '160000' && e.mode !== '120000' && (isSource(e.path) || want.has(e.path)));
  const blobs = await readBlobs(repo, entries.map((e) => e.sha));
  const tree = new Map<string, string>();
  for (const e of entries) {
    const b = blobs.get(e.sha);
    if (b && (b.length <= config.maxFileBytes || !isSource(e.path))) tree.set(e.path, b.toString('utf8'));
  }
  return tree;
}

/** `--range A..B`: one patch per commit (merges skipped); the base is `A` read from git. */
export async function readRange(repo: string, range: string, config: LockLensConfig, withBase: boolean): Promise<SeriesInput> {
  const { base, tip } = await resolveRange(repo, range);
  const commits = await listCommits(repo, base, tip);
  if (commits.length === 0) throw new InputError(`--range ${range}: no commits between the two revisions`);
  const messages: MailMessage[] = [];
  for (const [i, sha] of commits.entries()) {
    const c = await commitPatch(repo, sha);
    messages.push({
      subject: `[PATCH ${i + 1}/${commits.length}] ${c.subject}`,
      author: c.author,
      body: `${c.message}\n---\n${c.diff}`,
      origin: sha.slice(0, 12),
      archivePage: false,
      notes: [],
    });
  }
  const parsed = assembleSeries(messages);
  parsed.series.subject = commits.length === 1 ? parsed.series.subject : `${range} (${commits.length} commits)`;
  return {
    parsed,
    base: withBase ? await treeAt(repo, base, config, pathsNeeded(parsed)) : null,
    baseLabel: `${base.slice(0, 12)} (git)`,
    problems: [],
  };
}

/** `--worktree`: the uncommitted changes to tracked files, as one patch on top of HEAD. */
export async function readWorktree(repo: string, config: LockLensConfig, withBase: boolean): Promise<SeriesInput> {
  const head = await resolveCommit(repo, 'HEAD');
  const diff = await worktreeDiff(repo);
  if (diff.trim() === '') throw new InputError(`--worktree: no uncommitted changes to tracked files in ${repo}`);
  const parsed = assembleSeries([{ subject: '[PATCH] working-tree changes', author: '', body: diff, origin: 'working tree', archivePage: false, notes: [] }]);
  return {
    parsed,
    base: withBase ? await treeAt(repo, head, config, pathsNeeded(parsed)) : null,
    baseLabel: `HEAD ${head.slice(0, 12)} (git)`,
    problems: [],
  };
}
