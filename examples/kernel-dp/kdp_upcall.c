// SPDX-License-Identifier: GPL-2.0
/*
 * Upcall port ids (one per CPU) and statistics export.
 *
 * The port-id array is published with rcu_assign_pointer() and read by the
 * datapath under rcu_read_lock(); replacing it defers the free with
 * kfree_rcu(). kdp_clear_upcall_pids() and kdp_stats_export() contain the two
 * bugs this example is meant to show.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include "kdp.h"

int kdp_set_upcall_pids(struct kdp_datapath *dp, const u32 *ids, u32 n)
{
	struct kdp_upcall_pids *old, *pids;

	if (!n)
		return -EINVAL;
	pids = kmalloc(struct_size(pids, pids, n), GFP_KERNEL);
	if (!pids)
		return -ENOMEM;
	pids->n_pids = n;
	memcpy(pids->pids, ids, n * sizeof(u32));

	kdp_lock();
	old = rcu_dereference_protected(dp->upcall_pids, lockdep_is_held(&kdp_mutex));
	rcu_assign_pointer(dp->upcall_pids, pids);
	kdp_unlock();

	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

u32 kdp_upcall_pid(struct kdp_datapath *dp, u32 cpu)
{
	struct kdp_upcall_pids *pids;
	u32 pid = 0;

	rcu_read_lock();
	pids = rcu_dereference(dp->upcall_pids);
	if (pids && pids->n_pids)
		pid = pids->pids[cpu % pids->n_pids];
	rcu_read_unlock();
	return pid;
}

/* Bug: readers inside rcu_read_lock() may still use the old array. */
void kdp_clear_upcall_pids(struct kdp_datapath *dp)
{
	struct kdp_upcall_pids *old;

	kdp_lock();
	old = rcu_dereference_protected(dp->upcall_pids, lockdep_is_held(&kdp_mutex));
	RCU_INIT_POINTER(dp->upcall_pids, NULL);
	kdp_unlock();
	kfree(old);	/* expect: rcu-free-without-grace-period */
}

/*
 * Bug: takes kdp_mutex (in kdp_port_count) inside dp->stats_mutex, the reverse
 * of kdp_dp_reset_stats(): an ABBA deadlock between the two paths.
 */
void kdp_stats_export(struct kdp_datapath *dp, u64 *out)
{
	mutex_lock(&dp->stats_mutex);
	out[0] = dp->n_hit;
	out[1] = dp->n_missed;
	out[2] = kdp_port_count(dp);
	mutex_unlock(&dp->stats_mutex);
}
