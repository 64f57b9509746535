/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdp: a tiny kernel-style switch datapath written for the LockLens examples.
 *
 * Locking rules this module means to follow:
 *  - kdp_mutex (kdp_lock()) serialises datapath, vport and flow commands.
 *  - RTNL nests inside kdp_mutex: the vport ops .create/.destroy take it.
 *  - dp->stats_mutex protects the aggregated counters and nests inside
 *    kdp_mutex.
 *  - The port array and the upcall port ids are RCU pointers: readers use
 *    rcu_read_lock(), writers hold kdp_mutex.
 */
#ifndef KDP_H
#define KDP_H 1

#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>

#define KDP_MAX_PORTS 64

struct kdp_datapath;
struct kdp_vport;

struct kdp_vport_parms {
	const char *name;
	int type;
	u32 port_no;
	struct kdp_datapath *dp;
};

struct kdp_vport_ops {
	int type;
	struct kdp_vport *(*create)(const struct kdp_vport_parms *parms);
	void (*destroy)(struct kdp_vport *vport);
};

struct kdp_vport {
	struct net_device *dev;
	struct kdp_datapath *dp;
	const struct kdp_vport_ops *ops;
	u32 port_no;
	struct rcu_head rcu;
};

struct kdp_flow_table {
	int count;
	int n_masks;
};

struct kdp_upcall_pids {
	struct rcu_head rcu;
	u32 n_pids;
	u32 pids[];
};

struct kdp_datapath {
	struct net *net;
	struct kdp_flow_table table;
	struct kdp_vport __rcu *ports[KDP_MAX_PORTS];
	struct kdp_upcall_pids __rcu *upcall_pids;
	struct mutex stats_mutex;
	u64 n_hit;
	u64 n_missed;
	struct delayed_work masks_work;
};

extern struct mutex kdp_mutex;

void kdp_lock(void);
void kdp_unlock(void);
/* Returns true with kdp_mutex held (a trylock hand-off to the caller). */
bool kdp_trylock(void) __cond_acquires(kdp_mutex);
int kdp_port_count(struct kdp_datapath *dp);

/* kdp_vport.c */
struct kdp_vport *kdp_vport_add(const struct kdp_vport_parms *parms);
void kdp_vport_del(struct kdp_vport *vport);

/* kdp_flow.c */
int kdp_flow_cmd_new(struct kdp_datapath *dp, u32 key);
int kdp_flow_cmd_del(struct kdp_datapath *dp, u32 key);
void kdp_flow_table_init(struct kdp_datapath *dp);

/* kdp_upcall.c */
int kdp_set_upcall_pids(struct kdp_datapath *dp, const u32 *ids, u32 n);
void kdp_clear_upcall_pids(struct kdp_datapath *dp);
u32 kdp_upcall_pid(struct kdp_datapath *dp, u32 cpu);
void kdp_stats_export(struct kdp_datapath *dp, u64 *out);

#endif /* KDP_H */
