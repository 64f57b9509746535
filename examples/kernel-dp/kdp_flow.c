// SPDX-License-Identifier: GPL-2.0
/*
 * Flow commands: the hot path. They run for every upcall that installs a
 * flow, from the handler threads, and they take kdp_mutex: the same lock under
 * which vport creation takes RTNL (kdp_main.c -> kdp_vport.c). A busy RTNL
 * therefore delays flow setup (the situation of the "Decouple flow operations
 * from RTNL" series); examples/series/ fixes it.
 */
#include <linux/errno.h>
#include "kdp.h"

#define KDP_MAX_FLOWS 65536

static int kdp_flow_insert(struct kdp_flow_table *table, u32 key)
{
	if (table->count >= KDP_MAX_FLOWS)
		return -E2BIG;
	table->count++;
	return 0;
}

static int kdp_flow_remove(struct kdp_flow_table *table, u32 key)
{
	if (!table->count)
		return -ENOENT;
	table->count--;
	return 0;
}

void kdp_flow_table_init(struct kdp_datapath *dp)
{
	dp->table.count = 0;
	dp->table.n_masks = 0;
}

int kdp_flow_cmd_new(struct kdp_datapath *dp, u32 key)
{
	int err;

	kdp_lock();	/* expect: contention-transfer locks=kdp_mutex,rtnl_mutex */
	err = kdp_flow_insert(&dp->table, key);
	kdp_unlock();
	return err;
}

int kdp_flow_cmd_del(struct kdp_datapath *dp, u32 key)
{
	int err;

	kdp_lock();	/* expect: contention-transfer locks=kdp_mutex,rtnl_mutex */
	err = kdp_flow_remove(&dp->table, key);
	kdp_unlock();
	return err;
}
