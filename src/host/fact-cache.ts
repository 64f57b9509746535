/**
 * Per-file FileFacts cache keyed by content hash, so a reopened workspace starts warm.
 * It lives outside the analysed tree (XDG cache dir or the extension's storage) and is
 * namespaced by a build stamp: facts extracted by another build are never reused.
 */
import { createHash } from 'node:crypto';
import { promises as fsp, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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

export class FactCache {
  private readonly dir: string;

  constructor(baseDir: string, backend: string) {
    this.dir = path.join(baseDir, buildStamp(backend));
  }

  private file(hash: string, rel: string): string {
    // The path is part of the key: facts carry their file name.
    const key = createHash('sha1').update(hash).update('\0').update(rel).digest('hex');
    return path.join(this.dir, key.slice(0, 2), key + '.json');
  }

  async get(hash: string, rel: string): Promise<FileFacts | null> {
    try {
      const facts = JSON.parse(await fsp.readFile(this.file(hash, rel), 'utf8')) as FileFacts;
      return facts.hash === hash && facts.file === rel ? facts : null;
    } catch {
      return null;
    }
  }

  async put(facts: FileFacts): Promise<void> {
    const f = this.file(facts.hash, facts.file);
    try {
      await fsp.mkdir(path.dirname(f), { recursive: true });
      const tmp = `${f}.${process.pid}.tmp`;
      await fsp.writeFile(tmp, JSON.stringify(facts));
      await fsp.rename(tmp, f);
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }
}
