/**
 * A generated C tree for the extraction-pool tests: kernel-style and OVS-style modules of uneven
 * sizes with locks, locked sections, RCU readers and cross-module calls. Written from scratch.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One kernel-style or OVS-style unit: a lock, a locked section, an RCU reader, a cross-module call. */
function unit(mod: number, k: number): string {
  if (mod % 2 === 0) {
    return `
struct kdev_${mod}_${k} {
\tspinlock_t lock;
\tstruct list_head list;
\tint count;
};

static DEFINE_MUTEX(kmod_${mod}_${k}_mutex);

int kmod_${mod}_api_${k}(int id)
{
\tstruct kdev_${mod}_${k} *d = kdev_lookup(id);
\tint ret = 0;

\tmutex_lock(&kmod_${mod}_${k}_mutex);
\tspin_lock_bh(&d->lock);
\tif (d->count++ > ${k + 3})
\t\tgoto out;
\tret = kmod_${(mod + 2) % 9}_api_${k % 4}(id);
out:
\tspin_unlock_bh(&d->lock);
\tmutex_unlock(&kmod_${mod}_${k}_mutex);
\treturn ret;
}

static void kmod_${mod}_scan_${k}(void)
{
\tstruct kdev_${mod}_${k} *d;

\trcu_read_lock();
\tlist_for_each_entry_rcu(d, &kmod_${mod}_list, list)
\t\td->count += ${k};
\trcu_read_unlock();
}
`;
  }
  return `
struct umap_${mod}_${k} {
\tstruct ovs_mutex mutex;
\tstruct hmap entries OVS_GUARDED_BY(mutex);
\tint n;
};

static void umap_${mod}_flush_${k}(struct umap_${mod}_${k} *m)
\tOVS_REQUIRES(m->mutex)
{
\tstruct entry *e;

\tHMAP_FOR_EACH (e, node, &m->entries) {
\t\tm->n -= e->weight + ${k};
\t}
}

int umod_${mod}_api_${k}(struct umap_${mod}_${k} *m)
\tOVS_EXCLUDED(m->mutex)
{
\tovs_mutex_lock(&m->mutex);
\tumap_${mod}_flush_${k}(m);
\tovs_mutex_unlock(&m->mutex);
\treturn umod_${(mod + 2) % 9}_api_${k % 4}(NULL);
}
`;
}

/** Writes modules into a fresh temp dir until `minBytes` is reached; returns the dir. */
export function writePoolTree(minBytes: number): string {
  const root = mkdtempSync(join(tmpdir(), 'locklens-pool-'));
  let bytes = 0;
  // Uneven sizes (1 to 90 units) so largest-first scheduling and load balancing matter.
  for (let mod = 0; bytes < minBytes; mod++) {
    const dir = join(root, mod % 2 === 0 ? 'net/core' : 'lib');
    mkdirSync(dir, { recursive: true });
    const n = 1 + ((mod * 37) % 90);
    let text = `/* module ${mod}: generated for the pool tests */\n#include "common.h"\n`;
    for (let k = 0; k < n; k++) text += unit(mod, k);
    writeFileSync(join(dir, `mod${String(mod).padStart(3, '0')}.c`), text);
    bytes += Buffer.byteLength(text);
  }
  return root;
}
