/**
 * Shared pieces of the corpus generators: the writer a module's functions are emitted through,
 * and the pool of exported functions that later modules call (the cross-file call graph).
 */
import type { Rng } from './rng';

/** An exported function other modules may call: `int name(int id)`. */
export interface ApiFn {
  name: string;
  header: string;
  /** Longest call chain below it (realistic profile only; bounds call depth). */
  level?: number;
  /** Takes a lock itself (realistic profile: such entry points are called from fewer places). */
  locking?: boolean;
}

/** Picks a callee from earlier modules so the global call graph is a DAG with depth. */
export function pickCallee(rng: Rng, api: ApiFn[]): ApiFn | null {
  if (api.length === 0) return null;
  // Favour recent modules a little: chains get deeper than with a uniform pick.
  const i = api.length - 1 - Math.floor(Math.pow(rng.next(), 2) * api.length);
  return api[Math.max(0, i)]!;
}

export class ModuleWriter {
  readonly out: string[] = [];
  readonly exported: ApiFn[] = [];
  readonly includes = new Set<string>();
  /** Static helpers of this module with the common `(obj, arg)` signature, callable by later functions. */
  readonly helpers: { name: string; level: number }[] = [];
  /** Realistic profile: callees must have a level below this (bounds call depth); and the highest picked. */
  budget = Infinity;
  maxPicked = -1;
  /** Realistic profile: pick the deepest callee that fits the budget (builds long chains). */
  preferDeep = false;
  /** The OVS module mutex and rwlock the templates lock: the module's own, or a shared one (realistic profile). */
  mx: string;
  rw: string;
  /**
   * How `callee()` picks among the exported functions: the dense profile's recency-biased pick
   * by default; the realistic profile replaces it with a depth-bounded one.
   */
  picker: (rng: Rng, api: ApiFn[]) => ApiFn | null = pickCallee;
  private n = 0;

  constructor(
    readonly rng: Rng,
    readonly p: string,
    readonly header: string,
    readonly api: ApiFn[],
  ) {
    this.mx = `${p}_mutex`;
    this.rw = `${p}_rwlock`;
  }

  get size(): number {
    let s = 0;
    for (const c of this.out) s += c.length;
    return s;
  }

  get lines(): number {
    let s = 0;
    for (const c of this.out) for (let i = 0; i < c.length; i++) if (c.charCodeAt(i) === 10) s++;
    return s;
  }

  id(): number {
    return this.n++;
  }

  callee(): string {
    const c = this.picker(this.rng, this.api);
    if (!c) return `${this.p}_default_open`;
    this.includes.add(c.header);
    return c.name;
  }

  num(): number {
    return this.rng.int(1, 97);
  }
}


export type Template = (w: ModuleWriter) => string;
