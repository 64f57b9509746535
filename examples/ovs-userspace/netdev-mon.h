/*
 * netdev-mon: an OVS-userspace-style device monitor written for the LockLens
 * examples. The main loop calls netdev_mon_run() and netdev_mon_wait() on
 * every iteration.
 *
 * Locking: mon_mutex protects the device map; each device's mutex protects
 * its cached state and nests inside mon_mutex.
 */
#ifndef NETDEV_MON_H
#define NETDEV_MON_H 1

#include <stdbool.h>
#include "openvswitch/hmap.h"
#include "openvswitch/thread.h"

struct mon_netdev {
    struct hmap_node node;
    struct ovs_mutex mutex;
    char *name;
    int ifindex;
    unsigned int flags OVS_GUARDED;
    bool admin_up OVS_GUARDED;
    int mtu OVS_GUARDED;
};

void netdev_mon_run(void);
void netdev_mon_wait(void);
void netdev_mon_set_admin(struct mon_netdev *dev, bool up);
int netdev_mon_set_mtu(struct mon_netdev *dev, int mtu)
    OVS_EXCLUDED(dev->mutex);

#endif /* netdev-mon.h */
