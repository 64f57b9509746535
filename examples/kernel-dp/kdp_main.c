// SPDX-License-Identifier: GPL-2.0
/*
 * Datapath and vport commands, the module lock and its wrappers.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include "kdp.h"

DEFINE_MUTEX(kdp_mutex);

void kdp_lock(void)
{
	mutex_lock(&kdp_mutex);
}

void kdp_unlock(void)
{
	mutex_unlock(&kdp_mutex);
}

bool kdp_trylock(void)
{
	return mutex_trylock(&kdp_mutex);
}

int kdp_port_count(struct kdp_datapath *dp)
{
	int i, n = 0;

	kdp_lock();
	for (i = 0; i < KDP_MAX_PORTS; i++)
		if (rcu_dereference_protected(dp->ports[i], lockdep_is_held(&kdp_mutex)))
			n++;
	kdp_unlock();
	return n;
}

int kdp_vport_cmd_new(struct kdp_datapath *dp, const char *name, int type, u32 port_no)
{
	struct kdp_vport_parms parms = {
		.name = name,
		.type = type,
		.port_no = port_no,
		.dp = dp,
	};
	struct kdp_vport *vport;
	int err = 0;

	if (port_no >= KDP_MAX_PORTS)
		return -EINVAL;

	kdp_lock();
	if (rcu_access_pointer(dp->ports[port_no])) {
		err = -EBUSY;
		goto out_unlock;
	}
	vport = kdp_vport_add(&parms);
	if (IS_ERR(vport)) {
		err = PTR_ERR(vport);
		goto out_unlock;
	}
	rcu_assign_pointer(dp->ports[port_no], vport);
out_unlock:
	kdp_unlock();
	return err;
}

int kdp_vport_cmd_del(struct kdp_datapath *dp, u32 port_no)
{
	struct kdp_vport *vport;

	if (port_no >= KDP_MAX_PORTS)
		return -EINVAL;

	kdp_lock();
	vport = rcu_dereference_protected(dp->ports[port_no], lockdep_is_held(&kdp_mutex));
	if (vport) {
		RCU_INIT_POINTER(dp->ports[port_no], NULL);
		kdp_vport_del(vport);
	}
	kdp_unlock();
	return vport ? 0 : -ENOENT;
}

void kdp_dp_reset_stats(struct kdp_datapath *dp)
{
	kdp_lock();
	mutex_lock(&dp->stats_mutex);	/* expect: lock-order-cycle locks=kdp_mutex,struct kdp_datapath.stats_mutex */
	dp->n_hit = 0;
	dp->n_missed = 0;
	mutex_unlock(&dp->stats_mutex);
	kdp_unlock();
}

/*
 * Per-namespace teardown only needs this namespace's RTNL: rtnl_net_lock()
 * rather than the global rtnl_lock().
 */
void kdp_dp_close_ports(struct kdp_datapath *dp)
{
	struct kdp_vport *vport;
	int i;

	kdp_lock();
	rtnl_net_lock(dp->net);
	for (i = 0; i < KDP_MAX_PORTS; i++) {
		vport = rcu_dereference_protected(dp->ports[i], lockdep_is_held(&kdp_mutex));
		if (vport)
			dev_close(vport->dev);
	}
	rtnl_net_unlock(dp->net);
	kdp_unlock();
}

/*
 * Periodic mask rebalancing must never queue behind a vport command (which may
 * be waiting for RTNL): it only tries the module lock and skips a round.
 */
static void kdp_masks_rebalance(struct work_struct *work)
{
	struct kdp_datapath *dp = container_of(work, struct kdp_datapath, masks_work.work);

	if (kdp_trylock()) {
		dp->table.n_masks = dp->table.count / 16;
		kdp_unlock();
	}
	schedule_delayed_work(&dp->masks_work, msecs_to_jiffies(4000));
}

struct kdp_datapath *kdp_dp_create(struct net *net)
{
	struct kdp_datapath *dp;

	dp = kzalloc(sizeof(*dp), GFP_KERNEL);
	if (!dp)
		return NULL;
	dp->net = net;
	mutex_init(&dp->stats_mutex);
	kdp_flow_table_init(dp);
	INIT_DELAYED_WORK(&dp->masks_work, kdp_masks_rebalance);
	schedule_delayed_work(&dp->masks_work, msecs_to_jiffies(4000));
	return dp;
}

void kdp_dp_destroy(struct kdp_datapath *dp)
{
	struct kdp_vport *vport;
	int i;

	cancel_delayed_work_sync(&dp->masks_work);
	kdp_lock();
	for (i = 0; i < KDP_MAX_PORTS; i++) {
		vport = rcu_dereference_protected(dp->ports[i], lockdep_is_held(&kdp_mutex));
		if (!vport)
			continue;
		RCU_INIT_POINTER(dp->ports[i], NULL);
		kdp_vport_del(vport);
	}
	kdp_unlock();
	kdp_clear_upcall_pids(dp);
}
