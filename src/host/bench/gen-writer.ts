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

// ---------------------------------------------------------------------------------------------
// Kernel module pieces both corpus profiles write (the dense corpus is hash-pinned: change these
// only together with its expected hashes).

/** Body of `<p>_default_change` before its `return 0;` (one `w.num()`), with or without the object lock. */
export function kernelChangeBody(w: ModuleWriter, locking: boolean): string {
  return locking
    ? `\tspin_lock_bh(&obj->lock);\n\tobj->n_bytes += ${w.num()};\n\tobj->id = val;\n\tspin_unlock_bh(&obj->lock);\n`
    : `\tobj->n_bytes += ${w.num()};\n\tobj->id = val;\n`;
}

/** The module's ops and table structs, and its file-level locks and table list. */
export function kernelTableDecls(p: string, P: string): string {
  return `struct ${p}_ops {
	int (*open)(struct ${p}_obj *obj);
	void (*close)(struct ${p}_obj *obj);
	int (*change)(struct ${p}_obj *obj, int val);
};

struct ${p}_table {
	struct mutex mutex;
	rwlock_t hash_lock;
	struct list_head objs;
	struct hlist_head buckets[1 << ${P}_HASH_BITS];
	const struct ${p}_ops *ops;
	struct ${p}_cfg __rcu *cfg;
	struct srcu_struct srcu;
};

static DEFINE_MUTEX(${p}_cfg_mutex);
static DEFINE_SPINLOCK(${p}_stats_lock);
static LIST_HEAD(${p}_tables);
`;
}

/** The statistics macro and the object iterator macro. */
export function kernelObjMacros(p: string, P: string): string {
  return `#define ${P}_STAT_ADD(obj, v) do { (obj)->n_packets += (v); } while (0)
#define ${p}_for_each_obj(pos, tbl) \\
	list_for_each_entry(pos, &(tbl)->objs, node)
`;
}

/** The default ops and their table (the ops table that `tbl->ops->change()` calls reach). */
export function kernelDefaultOps(p: string, change: string): string {
  return `static int ${p}_default_open(struct ${p}_obj *obj)
{
	refcount_set(&obj->refcnt, 1);
	return 0;
}

static void ${p}_default_close(struct ${p}_obj *obj)
{
	kfree_rcu(obj, rcu);
}

static int ${p}_default_change(struct ${p}_obj *obj, int val)
{
${change}	return 0;
}

static const struct ${p}_ops ${p}_default_ops = {
	.open = ${p}_default_open,
	.close = ${p}_default_close,
	.change = ${p}_default_change,
};

`;
}
