/**
 * Deterministic generator of a synthetic kernel-like + OVS-userspace-like C tree for the
 * benchmark. Same seed and size ⇒ identical bytes. The code is written from scratch after the
 * patterns LockLens must handle (goto unwinding, iterator macros, guard()/scoped_guard, RCU
 * readers and kfree_rcu, trylocks, RTNL, ops tables, OVS_REQUIRES annotations, ovsrcu, HMAP
 * iteration, cross-file calls). It is never meant to compile, only to look like real trees to
 * the parser and the analysis, and it is written to a temp directory, never into the repo.
 *
 * Two profiles: `realistic` (gen-realistic.ts, calibrated against real trees with
 * corpus-stats.ts) and `dense` (this file's templates, one lock template per function: the
 * original stress corpus, kept byte-identical).
 */
import { Rng } from './rng';
import { kernelChangeBody, kernelDefaultOps, kernelObjMacros, kernelTableDecls, ModuleWriter, type ApiFn, type Template } from './gen-writer';
import { generateRealisticModule, realisticSharedFiles } from './gen-realistic';

export interface GeneratedFile {
  /** Relative path, `/` separators. */
  path: string;
  text: string;
}

/**
 * `realistic` (default): calibrated against OVS userspace and kernel net/ (function size, lock
 * density, call depth; see docs/performance.md). `dense`: the original stress corpus, about three
 * times more functions per MB and ten times more lock classes and lock-order edges.
 */
export const CORPUS_PROFILES = ['realistic', 'dense'] as const;
export type CorpusProfile = (typeof CORPUS_PROFILES)[number];

export interface CorpusOptions {
  /** Target total size in bytes (the result is within ±10% for sizes ≥ 64 KB). */
  sizeBytes: number;
  seed: number;
  /** Default `realistic`. */
  profile?: CorpusProfile;
  /** Lines of the one large file used for incremental-edit latency (default 7000; capped to fit the size). */
  bigFileLines?: number;
}

export interface Corpus {
  profile: CorpusProfile;
  files: GeneratedFile[];
  bytes: number;
  /** The large file that incremental edits go to. */
  bigFile: string;
  kernelFiles: number;
  ovsFiles: number;
}

const KERNEL_DIRS = ['net/core', 'net/openvswitch', 'net/sched', 'net/bridge', 'net/ipv4', 'net/ipv6', 'net/netfilter', 'net/xfrm'];
const KERNEL_WORDS = ['vport', 'flow', 'dp', 'meter', 'ct', 'tun', 'br', 'fib', 'neigh', 'qdisc', 'xfrm', 'sk', 'nh', 'tc', 'gso', 'gro'];
const OVS_DIRS = ['lib', 'lib', 'lib', 'ofproto', 'vswitchd'];
const OVS_WORDS = ['bond', 'lacp', 'netdev', 'dpif', 'mac_learn', 'stp', 'tnl', 'conntrack', 'ofmon', 'rstp', 'ipfix', 'mcast', 'meter', 'odp', 'ofport'];

// ---------------------------------------------------------------------------------------------
// Kernel style (dense profile)

function kernelPrologue(w: ModuleWriter): string {
  const p = w.p;
  const P = p.toUpperCase();
  const change = kernelChangeBody(w, true);
  return `struct ${p}_cfg {
	u32 flags;
	bool enabled;
	int weight;
};

struct ${p}_obj {
	struct list_head node;
	struct hlist_node hnode;
	struct rcu_head rcu;
	spinlock_t lock;
	struct ${p}_cfg __rcu *cfg;
	refcount_t refcnt;
	u64 n_packets;
	u64 n_bytes;
	int id;
};

${kernelTableDecls(p, P)}
${kernelObjMacros(p, P)}
${kernelDefaultOps(p, change)}`;
}

export const KERNEL_TEMPLATES: Template[] = [
  // goto unwinding with a nested spinlock and a cross-file call under the table mutex
  (w) => {
    const p = w.p;
    const i = w.id();
    return `static int ${p}_setup_${i}(struct ${p}_table *tbl, int id)
{
	struct ${p}_obj *obj;
	int err;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return -ENOMEM;
	spin_lock_init(&obj->lock);
	obj->id = id;

	mutex_lock(&tbl->mutex);
	err = tbl->ops->open(obj);
	if (err)
		goto err_unlock;
	err = ${w.callee()}(id);
	if (err < 0)
		goto err_close;
	spin_lock_bh(&obj->lock);
	obj->n_packets += ${w.num()};
	spin_unlock_bh(&obj->lock);
	list_add_rcu(&obj->node, &tbl->objs);
	mutex_unlock(&tbl->mutex);
	return 0;

err_close:
	tbl->ops->close(obj);
err_unlock:
	mutex_unlock(&tbl->mutex);
	kfree(obj);
	return err;
}

`;
  },
  // RCU reader with an iterator macro and rcu_dereference
  (w) => {
    const p = w.p;
    const i = w.id();
    return `static u64 ${p}_sum_${i}(struct ${p}_table *tbl, u32 mask)
{
	struct ${p}_obj *obj;
	u64 total = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(obj, &tbl->objs, node) {
		struct ${p}_cfg *cfg = rcu_dereference(obj->cfg);

		if (!cfg || !(cfg->flags & mask))
			continue;
		total += obj->n_packets * cfg->weight;
	}
	rcu_read_unlock();
	return total;
}

`;
  },
  // guard() and scoped_guard(), with an early return inside the guarded block
  (w) => {
    const p = w.p;
    const i = w.id();
    return `int ${p}_set_${i}(struct ${p}_table *tbl, int id, int val)
{
	struct ${p}_obj *obj;

	guard(mutex)(&tbl->mutex);
	${p}_for_each_obj(obj, tbl) {
		if (obj->id != id)
			continue;
		scoped_guard(spinlock_bh, &obj->lock) {
			obj->n_bytes += ${w.num()};
			obj->id = val;
		}
		return tbl->ops->change(obj, val);
	}
	return -ENOENT;
}

`;
  },
  // trylock fast path with a slow fallback
  (w) => {
    const p = w.p;
    const i = w.id();
    return `static bool ${p}_try_account_${i}(struct ${p}_obj *obj, unsigned int len)
{
	if (!spin_trylock(&obj->lock)) {
		unsigned long flags;

		spin_lock_irqsave(&${p}_stats_lock, flags);
		obj->n_bytes += len;
		spin_unlock_irqrestore(&${p}_stats_lock, flags);
		return false;
	}
	${p.toUpperCase()}_STAT_ADD(obj, 1);
	obj->n_bytes += ${w.num()};
	spin_unlock(&obj->lock);
	return true;
}

`;
  },
  // removal under RTNL + table mutex, freed through RCU
  (w) => {
    const p = w.p;
    const i = w.id();
    return `void ${p}_del_${i}(struct ${p}_table *tbl, struct ${p}_obj *obj)
{
	ASSERT_RTNL();
	mutex_lock(&tbl->mutex);
	list_del_rcu(&obj->node);
	hlist_del_init_rcu(&obj->hnode);
	mutex_unlock(&tbl->mutex);
	if (refcount_dec_and_test(&obj->refcnt))
		kfree_rcu(obj, rcu);
}

`;
  },
  // RTNL section publishing a new config, synchronize_rcu after unlock
  (w) => {
    const p = w.p;
    const i = w.id();
    return `int ${p}_reconfigure_${i}(struct ${p}_table *tbl, u32 flags)
{
	struct ${p}_cfg *new_cfg, *old;
	int err = 0;

	new_cfg = kmalloc(sizeof(*new_cfg), GFP_KERNEL);
	if (!new_cfg)
		return -ENOMEM;
	new_cfg->flags = flags;
	new_cfg->weight = ${w.num()};

	rtnl_lock();
	old = rtnl_dereference(tbl->cfg);
	if (old && old->flags == flags) {
		err = -EEXIST;
		goto out_unlock;
	}
	rcu_assign_pointer(tbl->cfg, new_cfg);
	new_cfg = NULL;
out_unlock:
	rtnl_unlock();
	if (!err) {
		synchronize_rcu();
		kfree(old);
	}
	kfree(new_cfg);
	return err;
}

`;
  },
  // reader/writer hash lock plus an hlist RCU walk
  (w) => {
    const p = w.p;
    const i = w.id();
    return `static struct ${p}_obj *${p}_lookup_${i}(struct ${p}_table *tbl, int id)
{
	struct ${p}_obj *obj, *found = NULL;
	unsigned int h = hash_32(id, ${p.toUpperCase()}_HASH_BITS);

	read_lock_bh(&tbl->hash_lock);
	hlist_for_each_entry(obj, &tbl->buckets[h], hnode) {
		if (obj->id == id && refcount_inc_not_zero(&obj->refcnt)) {
			found = obj;
			break;
		}
	}
	read_unlock_bh(&tbl->hash_lock);
	return found;
}

`;
  },
  // exported API: takes the file's global mutex and calls into another file
  (w) => {
    const p = w.p;
    const i = w.id();
    const name = `${p}_api_${i}`;
    w.exported.push({ name, header: w.header });
    const underLock = w.rng.chance(0.5);
    const call = `${w.callee()}(id + ${w.num()})`;
    return underLock
      ? `int ${name}(int id)
{
	int err;

	mutex_lock(&${p}_cfg_mutex);
	err = ${call};
	mutex_unlock(&${p}_cfg_mutex);
	return err;
}

`
      : `int ${name}(int id)
{
	int err;

	err = ${call};
	if (err)
		return err;
	mutex_lock(&${p}_cfg_mutex);
	err = id & ${w.num()};
	mutex_unlock(&${p}_cfg_mutex);
	return err;
}

`;
  },
  // SRCU reader with the index data dependency, and a config-dependent branch
  (w) => {
    const p = w.p;
    const i = w.id();
    return `static int ${p}_srcu_walk_${i}(struct ${p}_table *tbl)
{
	struct ${p}_cfg *cfg;
	int idx, ret = 0;

	idx = srcu_read_lock(&tbl->srcu);
	cfg = srcu_dereference(tbl->cfg, &tbl->srcu);
	if (cfg)
		ret = cfg->weight;
#ifdef CONFIG_${p.toUpperCase()}_DEBUG
	pr_debug("${p}: weight %d\\n", ret);
#endif
	srcu_read_unlock(&tbl->srcu, idx);
	return ret;
}

`;
  },
];

// ---------------------------------------------------------------------------------------------
// OVS userspace style

function ovsPrologue(w: ModuleWriter): string {
  const p = w.p;
  return `VLOG_DEFINE_THIS_MODULE(${p});

struct ${p}_cfg {
    uint32_t flags;
    int weight;
};

struct ${p}_entry {
    struct hmap_node hmap_node;
    struct ovs_list list_node;
    struct ovs_mutex mutex;
    OVSRCU_TYPE(struct ${p}_cfg *) cfg;
    const struct ${p}_class *class;
    long long int used OVS_GUARDED;
    uint64_t n_packets;
    int id;
};

struct ${p}_class {
    int (*construct)(struct ${p}_entry *);
    void (*destruct)(struct ${p}_entry *);
    void (*run)(struct ${p}_entry *);
};

static struct ovs_mutex ${p}_mutex = OVS_MUTEX_INITIALIZER;
static struct ovs_rwlock ${p}_rwlock = OVS_RWLOCK_INITIALIZER;
static struct hmap all_${p}s OVS_GUARDED_BY(${p}_mutex) = HMAP_INITIALIZER(&all_${p}s);

static void ${p}_run_entry(struct ${p}_entry *e) OVS_REQUIRES(${p}_mutex);

static int
${p}_construct(struct ${p}_entry *e)
{
    ovs_mutex_init(&e->mutex);
    ovsrcu_init(&e->cfg, NULL);
    return 0;
}

static void
${p}_destruct(struct ${p}_entry *e)
{
    ovs_mutex_destroy(&e->mutex);
    free(e);
}

static const struct ${p}_class ${p}_default_class = {
    .construct = ${p}_construct,
    .destruct = ${p}_destruct,
    .run = ${p}_run_entry,
};

static void
${p}_run_entry(struct ${p}_entry *e)
    OVS_REQUIRES(${p}_mutex)
{
    ovs_mutex_lock(&e->mutex);
    e->used = time_msec();
    e->n_packets += ${w.num()};
    ovs_mutex_unlock(&e->mutex);
}

static int ${p}_default_open(int id) { return id; }

static struct ${p}_entry *
${p}_find(int id)
    OVS_REQUIRES(${p}_mutex)
{
    struct ${p}_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash_int(id, 0), &all_${p}s) {
        if (e->id == id) {
            return e;
        }
    }
    return NULL;
}

`;
}

export const OVS_TEMPLATES: Template[] = [
  // lookup requiring the module mutex, with the OVS hash iterator
  (w) => {
    const p = w.p;
    const i = w.id();
    return `static struct ${p}_entry *
${p}_lookup_${i}(int id)
    OVS_REQUIRES(${w.mx})
{
    struct ${p}_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, hmap_node, hash_int(id, 0), &all_${p}s) {
        if (e->id == id) {
            return e;
        }
    }
    return NULL;
}

`;
  },
  // caller taking the mutex, nested entry mutex, goto out
  (w) => {
    const p = w.p;
    const i = w.id();
    return `int
${p}_set_used_${i}(int id, long long int now)
    OVS_EXCLUDED(${w.mx})
{
    struct ${p}_entry *e;
    int error = 0;

    ovs_mutex_lock(&${w.mx});
    e = ${p}_find(id);
    if (!e) {
        error = ENOENT;
        goto out;
    }
    ovs_mutex_lock(&e->mutex);
    e->used = now;
    e->n_packets += ${w.num()};
    ovs_mutex_unlock(&e->mutex);
out:
    ovs_mutex_unlock(&${w.mx});
    return error;
}

`;
  },
  // ovsrcu publish + postpone (writer) and ovsrcu_get (reader)
  (w) => {
    const p = w.p;
    const i = w.id();
    return `static void
${p}_swap_cfg_${i}(struct ${p}_entry *e, struct ${p}_cfg *new_cfg)
    OVS_REQUIRES(${w.mx})
{
    struct ${p}_cfg *old = ovsrcu_get_protected(struct ${p}_cfg *, &e->cfg);

    ovsrcu_set(&e->cfg, new_cfg);
    if (old) {
        ovsrcu_postpone(free, old);
    }
}

static int
${p}_weight_${i}(const struct ${p}_entry *e)
{
    const struct ${p}_cfg *cfg = ovsrcu_get(struct ${p}_cfg *, &e->cfg);

    return cfg ? cfg->weight : ${w.num()};
}

`;
  },
  // reader lock on the module rwlock
  (w) => {
    const p = w.p;
    const i = w.id();
    return `size_t
${p}_count_${i}(uint32_t mask)
{
    struct ${p}_entry *e;
    size_t n = 0;

    ovs_rwlock_rdlock(&${w.rw});
    HMAP_FOR_EACH (e, hmap_node, &all_${p}s) {
        if (e->id & mask) {
            n++;
        }
    }
    ovs_rwlock_unlock(&${w.rw});
    return n;
}

`;
  },
  // trylock (0 = acquired in the pthread convention)
  (w) => {
    const p = w.p;
    const i = w.id();
    return `static bool
${p}_try_touch_${i}(struct ${p}_entry *e)
{
    if (ovs_mutex_trylock(&e->mutex)) {
        return false;
    }
    e->used = time_msec();
    e->n_packets += ${w.num()};
    ovs_mutex_unlock(&e->mutex);
    return true;
}

`;
  },
  // periodic run function: the module mutex, a safe iterator, class dispatch and a cross-file call
  (w) => {
    const p = w.p;
    const i = w.id();
    return `void
${p}_run_${i}(void)
{
    struct ${p}_entry *e;

    ovs_mutex_lock(&${w.mx});
    HMAP_FOR_EACH_SAFE (e, hmap_node, &all_${p}s) {
        if (e->class && e->class->run) {
            e->class->run(e);
        }
    }
    ovs_mutex_unlock(&${w.mx});
    ${w.callee()}(${w.num()});
}

`;
  },
  // exported API with an annotated prototype in the header
  (w) => {
    const p = w.p;
    const i = w.id();
    const name = `${p}_api_${i}`;
    w.exported.push({ name, header: w.header });
    const underLock = w.rng.chance(0.5);
    const call = `${w.callee()}(id + ${w.num()})`;
    return underLock
      ? `int
${name}(int id)
    OVS_EXCLUDED(${w.mx})
{
    int error;

    ovs_mutex_lock(&${w.mx});
    error = ${call};
    ovs_mutex_unlock(&${w.mx});
    return error;
}

`
      : `int
${name}(int id)
{
    int error = ${call};

    if (!error) {
        ovs_mutex_lock(&${w.mx});
        error = hmap_count(&all_${p}s) > ${w.num()} ? EBUSY : 0;
        ovs_mutex_unlock(&${w.mx});
    }
    return error;
}

`;
  },
  // once-only init and a condition wait
  (w) => {
    const p = w.p;
    const i = w.id();
    return `static void
${p}_init_${i}(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;

    if (ovsthread_once_start(&once)) {
        ovs_mutex_lock(&${w.mx});
        hmap_init(&all_${p}s);
        ovs_mutex_unlock(&${w.mx});
        ovsthread_once_done(&once);
    }
}

`;
  },
];

// ---------------------------------------------------------------------------------------------

function kernelFile(w: ModuleWriter, body: string): string {
  const inc = [...w.includes].sort().map((h) => `#include <${h.replace(/^include\//, '')}>`).join('\n');
  return `// SPDX-License-Identifier: GPL-2.0
/*
 * ${w.p}: synthetic module generated by the LockLens benchmark (not real kernel code).
 */
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/spinlock.h>
#include <linux/rculist.h>
#include <linux/cleanup.h>
${inc}

#define ${w.p.toUpperCase()}_HASH_BITS 8

${body}MODULE_LICENSE("GPL");
`;
}

function ovsFile(w: ModuleWriter, body: string): string {
  const inc = [...w.includes].sort().map((h) => `#include "${h.replace(/^(lib|ofproto|vswitchd)\//, '')}"`).join('\n');
  return `/*
 * ${w.p}: synthetic module generated by the LockLens benchmark (not real OVS code).
 * Licensed under the Apache License, Version 2.0.
 */
#include <config.h>
#include "${w.header.replace(/^(lib|ofproto|vswitchd)\//, '')}"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "ovs-thread.h"
${inc}

${body}`;
}

function headerFile(w: ModuleWriter, kernel: boolean): string {
  const guard = w.header.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();
  const protos = w.exported.map((f) => `int ${f.name}(int id);`).join('\n');
  return kernel
    ? `/* SPDX-License-Identifier: GPL-2.0 */\n#ifndef ${guard}\n#define ${guard}\n\n${protos}\n\n#endif /* ${guard} */\n`
    : `#ifndef ${guard}\n#define ${guard} 1\n\n#include "openvswitch/compiler.h"\n\n${protos}\n\n#endif /* ${guard} */\n`;
}

/**
 * Generates one module (a .c file plus its header) until it reaches `targetBytes` or
 * `targetLines` (whichever is given).
 */
function generateModule(rng: Rng, kernel: boolean, p: string, dir: string, api: ApiFn[], target: { bytes?: number; lines?: number }): GeneratedFile[] {
  const header = kernel ? `include/net/${p}.h` : `${dir}/${p}.h`;
  const w = new ModuleWriter(rng, p, header, api);
  w.out.push(kernel ? kernelPrologue(w) : ovsPrologue(w));
  const templates = kernel ? KERNEL_TEMPLATES : OVS_TEMPLATES;
  // Every module exports at least one API function so cross-file calls always have targets.
  w.out.push(templates[kernel ? 7 : 6]!(w));
  for (;;) {
    if (target.bytes !== undefined && w.size >= target.bytes) break;
    if (target.lines !== undefined && w.lines >= target.lines) break;
    w.out.push(rng.pick(templates)(w));
  }
  const body = w.out.join('');
  api.push(...w.exported);
  const src = { path: `${dir}/${p}.c`, text: kernel ? kernelFile(w, body) : ovsFile(w, body) };
  return [src, { path: header, text: headerFile(w, kernel) }];
}

/** The dense OVS templates that lock only the module mutex/rwlock (not the per-entry mutex). */
const OVS_SHARED_LOCK_TEMPLATES = [0, 2, 3, 5, 6, 7].map((i) => OVS_TEMPLATES[i]!);

export function generateCorpus(opts: CorpusOptions): Corpus {
  const profile = opts.profile ?? 'realistic';
  const rng = new Rng(opts.seed);
  const files: GeneratedFile[] = [];
  const api: ApiFn[] = [];
  const used = new Set<string>();
  let bytes = 0;
  let kernelFiles = 0;
  let ovsFiles = 0;
  const uniqueName = (word: string): string => {
    for (let k = 0; ; k++) {
      const name = `${word}${k}`;
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
  };
  const add = (fs: GeneratedFile[], kernel: boolean) => {
    for (const f of fs) {
      files.push(f);
      bytes += Buffer.byteLength(f.text);
    }
    if (kernel) kernelFiles++;
    else ovsFiles++;
  };

  const realistic = profile === 'realistic';
  const kernelLocks = { all: KERNEL_TEMPLATES, sharedLockOnly: KERNEL_TEMPLATES };
  const ovsLocks = { all: OVS_TEMPLATES, sharedLockOnly: OVS_SHARED_LOCK_TEMPLATES };
  const module = (kernel: boolean, p: string, dir: string, target: { bytes?: number; lines?: number }, hub = false): GeneratedFile[] =>
    realistic
      ? generateRealisticModule(rng, kernel, p, dir, api, target, kernel ? kernelLocks : ovsLocks, hub)
      : generateModule(rng, kernel, p, dir, api, target);

  // The large file comes first: later modules call into it, like the hub files of real trees.
  // Its line count is capped to a third of the budget so --quick corpora stay mostly small files.
  const avgLine = realistic ? 26 : 24;
  const bigLines = Math.max(200, Math.min(opts.bigFileLines ?? 7000, Math.floor(opts.sizeBytes / 3 / avgLine)));
  const big = module(true, 'bench_dev', 'net/core', { lines: bigLines }, true);
  used.add('bench_dev');
  add(big, true);
  if (realistic) {
    // The shared OVS locks, and one OVS hub module that uses every OVS lock idiom.
    for (const f of realisticSharedFiles()) {
      files.push(f);
      bytes += Buffer.byteLength(f.text);
    }
    used.add('bench_ovs_hub');
    add(module(false, 'bench_ovs_hub', 'lib', { bytes: Math.min(24 * 1024, Math.max(1500, Math.floor(opts.sizeBytes / 8))) }, true), false);
  }

  for (let m = 0; bytes < opts.sizeBytes; m++) {
    const remaining = opts.sizeBytes - bytes;
    // Realistic: strictly alternating styles, so the kernel/OVS mix (and the calibrated
    // figures) does not drift with the seed; dense keeps its original coin toss.
    const kernel = realistic ? m % 2 === 1 : rng.chance(0.5);
    const word = rng.pick(kernel ? KERNEL_WORDS : OVS_WORDS);
    const dir = rng.pick(kernel ? KERNEL_DIRS : OVS_DIRS);
    // Real OVS lib/ files average ~20 KB; the last module shrinks to land near the target.
    const target = Math.min(rng.int(6, 36) * 1024, Math.max(remaining - 400, 1500));
    add(module(kernel, uniqueName(word), dir, { bytes: target }), kernel);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { profile, files, bytes, bigFile: big[0]!.path, kernelFiles, ovsFiles };
}

/**
 * Lines of a file that a benchmark edit may rewrite: counter updates (`x->n += 12;`). Changing
 * the number is a realistic single-line edit that re-extracts the file without changing its shape.
 */
export function editableLines(text: string): number[] {
  const out: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (/^\s+[\w>.-]+ \+= \d+;$/.test(lines[i]!)) out.push(i);
  return out;
}

/** The k-th benchmark edit of `text`: one line, deterministic; also works on real files (appends a comment). */
export function applyEdit(text: string, k: number, candidates: number[]): string {
  const lines = text.split('\n');
  if (candidates.length > 0) {
    const li = candidates[(k * 7919) % candidates.length]!;
    lines[li] = lines[li]!.replace(/\d+;$/, `${(k % 89) + 1};`);
  } else {
    // Real trees: touch the last non-empty line (a trailing comment keeps the code unchanged).
    let li = lines.length - 1;
    while (li > 0 && lines[li]!.trim() === '') li--;
    lines[li] = lines[li]!.replace(/\s*\/\* bench edit \d+ \*\/$/, '') + ` /* bench edit ${k} */`;
  }
  return lines.join('\n');
}
