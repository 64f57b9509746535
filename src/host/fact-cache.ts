/**
 * Per-file FileFacts cache keyed by content hash, so a reopened workspace starts warm.
 * It lives outside the analysed tree (XDG cache dir or the extension's storage) and is
 * namespaced by a build stamp: facts extracted by another build are never reused.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, promises as fsp, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import type { FileFacts } from '../engine/ir';

export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'locklens', 'facts');
}

function buildStamp(backend: string): string {
  // The running bundle's size+mtime identifies the extractor build.
  let stamp = 'dev';
  try {
    const st = statSync(__filename);
    stamp = `${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}`;
  } catch {
    /* unbundled: fall back to the shared dev namespace */
  }
  return `${backend}-${stamp}`;
}

/** Whether parsed cache text really is the entry for (hash, rel): guards against a corrupt or foreign file. */
export function isEntryFor(facts: unknown, hash: string, rel: string): facts is FileFacts {
  const f = facts as Partial<FileFacts> | null;
  return !!f && typeof f === 'object' && f.hash === hash && f.file === rel && Array.isArray(f.functions);
}

export class FactCache {
  /** The build-stamped directory the entries live in. */
  readonly dir: string;

  /** `backend: null` means `baseDir` is already stamped (see `at`). */
  constructor(baseDir: string, backend: string | null) {
    this.dir = backend === null ? baseDir : path.join(baseDir, buildStamp(backend));
  }

  /**
   * The cache in an already stamped directory. Extraction workers open the main thread's `dir`:
   * their own bundle has another size and mtime, so a stamp of their own would miss every entry.
   */
  static at(stampedDir: string): FactCache {
    return new FactCache(stampedDir, null);
  }

  private file(hash: string, rel: string): string {
    // The path is part of the key: facts carry their file name.
    const key = createHash('sha1').update(hash).update('\0').update(rel).digest('hex');
    return path.join(this.dir, key.slice(0, 2), key + '.json');
  }

  async get(hash: string, rel: string): Promise<FileFacts | null> {
    try {
      const facts: unknown = JSON.parse(await fsp.readFile(this.file(hash, rel), 'utf8'));
      return isEntryFor(facts, hash, rel) ? facts : null;
    } catch {
      return null;
    }
  }

  /**
   * The stored JSON text for (hash, rel), unparsed, or null. A worker passes it on as it is, so a
   * hit is parsed once, by the thread that keeps the facts, which checks it with `isEntryFor`.
   */
  getTextSync(hash: string, rel: string): string | null {
    try {
      return readFileSync(this.file(hash, rel), 'utf8');
    } catch {
      return null;
    }
  }

  async put(facts: FileFacts): Promise<void> {
    const f = this.file(facts.hash, facts.file);
    try {
      await fsp.mkdir(path.dirname(f), { recursive: true });
      await fsp.writeFile(tmpName(f), JSON.stringify(facts));
      await fsp.rename(tmpName(f), f);
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }

  /** Stores facts already serialised with `JSON.stringify` (a worker has that text anyway). */
  putTextSync(hash: string, rel: string, json: string): void {
    const f = this.file(hash, rel);
    try {
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(tmpName(f), json);
      renameSync(tmpName(f), f);
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }
}

/** Unique per process and thread: two workers of one run may store the same entry at once. */
function tmpName(f: string): string {
  return `${f}.${process.pid}-${threadId}.tmp`;
}
