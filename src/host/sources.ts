/**
 * Lists and reads the C sources of an analysed tree. Never writes anything; symlinks that leave
 * the root are not followed (a tree must not make us read /etc), and unreadable files become
 * problems naming the file and the reason instead of aborting the run.
 */
import { promises as fsp, readFileSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import type { LockLensConfig } from '../engine/config';
import type { Problem } from '../engine/model';
import { matchesAny } from './glob';

export interface SourceEntry {
  /** Relative to the root, `/` separators. */
  path: string;
  abs: string;
  size: number;
}

export interface CollectedSources {
  root: string;
  files: SourceEntry[];
  problems: Problem[];
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);

export function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

/**
 * Collects C files under `targets` (files or directories, absolute or relative to `root`).
 * Explicitly named files are taken even if include globs would not match them.
 */
export async function collectSources(root: string, targets: string[], config: LockLensConfig): Promise<CollectedSources> {
  const problems: Problem[] = [];
  const files = new Map<string, SourceEntry>();
  const realRoot = realpathSync(root);

  async function visit(abs: string, explicit: boolean): Promise<void> {
    let st;
    try {
      st = await fsp.lstat(abs);
    } catch (e) {
      problems.push({ severity: 'error', code: 'unreadable-file', message: `cannot read ${abs}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file: toRel(root, abs) });
      return;
    }
    if (st.isSymbolicLink()) {
      let real: string;
      try {
        real = await fsp.realpath(abs);
      } catch {
        problems.push({ severity: 'warning', code: 'broken-symlink', message: `skipped broken symlink ${toRel(root, abs)}`, file: toRel(root, abs) });
        return;
      }
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
        problems.push({ severity: 'warning', code: 'symlink-outside-root', message: `skipped ${toRel(root, abs)}: symlink points outside the analysed tree`, file: toRel(root, abs) });
        return;
      }
      // In-tree symlinked files are read; symlinked directories are skipped (loops, duplicates).
      st = await fsp.stat(abs);
      if (st.isDirectory()) return;
    }
    const rel = toRel(root, abs);
    if (st.isDirectory()) {
      if (!explicit && SKIP_DIRS.has(path.basename(abs))) return;
      if (rel && matchesAny(rel + '/', config.exclude)) return;
      let names: string[];
      try {
        names = await fsp.readdir(abs);
      } catch (e) {
        problems.push({ severity: 'error', code: 'unreadable-dir', message: `cannot list ${rel || '.'}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file: rel });
        return;
      }
      names.sort();
      for (const n of names) await visit(path.join(abs, n), false);
      return;
    }
    if (!st.isFile()) return;
    if (!explicit && (!matchesAny(rel, config.include) || matchesAny(rel, config.exclude))) return;
    if (st.size > config.maxFileBytes) {
      problems.push({ severity: 'warning', code: 'file-too-large', message: `skipped ${rel}: ${st.size} bytes exceeds maxFileBytes (${config.maxFileBytes})`, file: rel });
      return;
    }
    files.set(rel, { path: rel, abs, size: st.size });
  }

  for (const t of targets) {
    const abs = path.resolve(root, t);
    await visit(abs, true);
  }
  return { root, files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), problems };
}

/**
 * Reads a source as text. Invalid UTF-8 is replaced (U+FFFD) rather than rejected: kernel
 * trees contain Latin-1 comments, and a lock analysis must not stop on them.
 */
export async function readSource(abs: string): Promise<string> {
  const buf = await fsp.readFile(abs);
  return buf.toString('utf8');
}

/**
 * The text analysed for a source: the unsaved editor text when there is one, else the file as
 * UTF-8 (invalid bytes replaced, as in `readSource`). Synchronous: extraction threads call it
 * between parses and have nothing else to do meanwhile. Throws the fs error (its `code` names it).
 */
export function readEntryText(e: { path: string; abs: string }, overlays?: ReadonlyMap<string, string>): string {
  return overlays?.get(e.path) ?? readFileSync(e.abs).toString('utf8');
}
