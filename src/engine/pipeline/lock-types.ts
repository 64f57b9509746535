/**
 * Phase 6, lock types and acquisition counts: per file, how often each lock is acquired and the
 * first known primitive type per lock (program order); then the type of every lock class
 * (primitive type, else the declared type).
 *
 * Incremental: only the files holding a changed function are recounted, and only the locks
 * they touch get their first primitive type looked up again.
 */
import type { LockType } from '../model';
import type { LockRef } from '../analysis/lock-identity';
import type { FnInfo, Program } from '../analysis/program';
import type { LocalResult } from '../analysis/summary';
import { fileOfKey } from './keys';
import type { IndexChanges } from './program-index';

/** What a session keeps of the lock types between runs. */
export interface LockTypeState {
  /** Per file: acquisitions and first known primitive type per lock. */
  fileAcq: Map<string, Map<string, { n: number; type: LockType | null }>>;
  /** Acquisitions per lock, over all files. */
  acqCount: Map<string, number>;
  /** First known primitive type per lock (program order). */
  primType: Map<string, LockType>;
  lockTypes: Map<string, LockType>;
  lockTypesSig: string;
  /** The lock classes `lockTypes` was built from. */
  classes: Map<string, LockRef>;
}

export interface LockTypeInput {
  prog: Program;
  local: Map<string, LocalResult>;
  classes: Map<string, LockRef>;
  localKeys: Set<string>;
  changes: Pick<IndexChanges, 'added' | 'changed'>;
  prev: LockTypeState | null;
}

export interface LockTypes {
  state: LockTypeState;
  /** Some file's acquisition counts changed (always on a cold run). */
  acqChanged: boolean;
}

export function computeLockTypes(inp: LockTypeInput): LockTypes {
  const { prog, prev } = inp;
  const fileAcq: LockTypeState['fileAcq'] = prev ? prev.fileAcq : new Map();
  const acqCount: Map<string, number> = prev ? prev.acqCount : new Map();
  const primType: Map<string, LockType> = prev ? prev.primType : new Map();
  const dirtyFiles = new Set<string>();
  if (prev) {
    for (const k of inp.localKeys) dirtyFiles.add(fileOfKey(k));
    for (const f of inp.changes.added) dirtyFiles.add(f.file);
    for (const [p] of inp.changes.changed) dirtyFiles.add(p);
  } else for (const f of prog.files) dirtyFiles.add(f.file);
  const touchedLocks = new Set<string>();
  let acqChanged = !prev;
  for (const p of dirtyFiles) {
    const m = countAcquisitions(prog.fnsByFile.get(p) ?? [], inp.local);
    const before = fileAcq.get(p);
    if (!before || before.size !== m.size) acqChanged = true;
    else for (const [l, x] of m) if (before.get(l)?.n !== x.n) acqChanged = true;
    for (const [l, x] of before ?? []) {
      const n = acqCount.get(l)! - x.n;
      if (n) acqCount.set(l, n);
      else acqCount.delete(l);
      touchedLocks.add(l);
    }
    for (const [l, x] of m) {
      acqCount.set(l, (acqCount.get(l) ?? 0) + x.n);
      touchedLocks.add(l);
    }
    if (m.size) fileAcq.set(p, m);
    else fileAcq.delete(p);
  }
  // First known primitive type in program order, for the locks whose per-file entries changed.
  let primChanged = !prev;
  for (const l of touchedLocks) {
    const before = primType.get(l);
    primType.delete(l);
    for (const f of prog.files) {
      const t = fileAcq.get(f.file)?.get(l)?.type;
      if (t) {
        primType.set(l, t);
        break;
      }
    }
    if (primType.get(l) !== before) primChanged = true;
  }
  const classes = inp.classes;
  let lockTypes: Map<string, LockType>;
  let lockTypesSig: string;
  if (prev && !primChanged && classes === prev.classes) {
    lockTypes = prev.lockTypes;
    lockTypesSig = prev.lockTypesSig;
  } else {
    lockTypes = new Map();
    for (const [id, r] of classes) lockTypes.set(id, primType.get(id) ?? r.declType);
    lockTypesSig = [...lockTypes].map(([k, v]) => `${k}=${v}`).join(';');
  }
  return { state: { fileAcq, acqCount, primType, lockTypes, lockTypesSig, classes }, acqChanged };
}

function countAcquisitions(fns: readonly FnInfo[], local: Map<string, LocalResult>): Map<string, { n: number; type: LockType | null }> {
  const m = new Map<string, { n: number; type: LockType | null }>();
  for (const f of fns) {
    for (const a of local.get(f.key)?.acqSites ?? []) {
      let x = m.get(a.lock);
      if (!x) m.set(a.lock, (x = { n: 0, type: null }));
      x.n++;
      if (a.type !== 'unknown' && x.type === null) x.type = a.type;
    }
  }
  return m;
}
