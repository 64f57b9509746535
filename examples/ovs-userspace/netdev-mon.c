/*
 * The run function refreshes every device's flags from the kernel, one
 * RTM_GETLINK transaction (and maybe one SIOCSIFFLAGS) per device per loop
 * iteration. Both are serialised on RTNL in the kernel, so under RTNL
 * contention the whole main loop slows down (seed 001); the fix is to cache
 * the flags and consume RTNLGRP_LINK notifications instead.
 */
#include <config.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "netdev-mon.h"
#include "netlink.h"
#include "netlink-socket.h"
#include "ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "ovs-rcu.h"

struct mon_config {
    int interval_ms;
};

static struct ovs_mutex mon_mutex = OVS_MUTEX_INITIALIZER;
static struct hmap mon_devices OVS_GUARDED_BY(mon_mutex)
    = HMAP_INITIALIZER(&mon_devices);
static OVSRCU_TYPE(struct mon_config *) mon_cfg;

static void
mon_lock(void)
    OVS_ACQUIRES(mon_mutex)
{
    ovs_mutex_lock(&mon_mutex);
}

static void
mon_unlock(void)
    OVS_RELEASES(mon_mutex)
{
    ovs_mutex_unlock(&mon_mutex);
}

static int
mon_get_flags_netlink(struct mon_netdev *dev, unsigned int *flags)
    OVS_REQUIRES(dev->mutex)
{
    struct ofpbuf request, *reply;
    struct ifinfomsg *ifi;
    int error;

    ofpbuf_init(&request, 0);
    nl_msg_put_nlmsghdr(&request, 0, RTM_GETLINK, NLM_F_REQUEST);
    ifi = ofpbuf_put_zeros(&request, sizeof *ifi);
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = dev->ifindex;
    error = nl_transact(NETLINK_ROUTE, &request, &reply);
    ofpbuf_uninit(&request);
    if (!error) {
        ifi = ofpbuf_at(reply, NLMSG_HDRLEN, sizeof *ifi);
        *flags = ifi ? ifi->ifi_flags : 0;
        ofpbuf_delete(reply);
    }
    return error;
}

static int
mon_set_flags(struct mon_netdev *dev, unsigned int flags)
    OVS_REQUIRES(dev->mutex)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    ovs_strzcpy(ifr.ifr_name, dev->name, sizeof ifr.ifr_name);
    ifr.ifr_flags = flags;
    return af_inet_ifreq_ioctl(dev->name, &ifr, SIOCSIFFLAGS, "SIOCSIFFLAGS");
}

static void
mon_update_flags(struct mon_netdev *dev)
    OVS_REQUIRES(dev->mutex)
{
    unsigned int flags;

    if (mon_get_flags_netlink(dev, &flags)) {
        return;
    }
    if (dev->admin_up != !!(flags & IFF_UP)) {
        flags = dev->admin_up ? flags | IFF_UP : flags & ~IFF_UP;
        mon_set_flags(dev, flags);
    }
    dev->flags = flags;
}

void
netdev_mon_run(void)
{
    struct mon_netdev *dev;

    mon_lock();
    HMAP_FOR_EACH (dev, node, &mon_devices) {
        ovs_mutex_lock(&dev->mutex);
        mon_update_flags(dev); /* expect: rtnl-in-periodic-path locks=rtnl_mutex */
        ovs_mutex_unlock(&dev->mutex);
    }
    mon_unlock();
}

void
netdev_mon_wait(void)
{
    struct mon_config *cfg = ovsrcu_get(struct mon_config *, &mon_cfg);

    poll_timer_wait(cfg ? cfg->interval_ms : 1000);
}

/* Bug: mon_update_flags() requires dev->mutex, which is not taken here. */
void
netdev_mon_set_admin(struct mon_netdev *dev, bool up)
{
    dev->admin_up = up;
    mon_update_flags(dev); /* expect: requires-violation locks=struct mon_netdev.mutex */
}

int
netdev_mon_set_mtu(struct mon_netdev *dev, int mtu)
    OVS_EXCLUDED(dev->mutex)
{
    struct ifreq ifr;
    int error;

    memset(&ifr, 0, sizeof ifr);
    ovs_strzcpy(ifr.ifr_name, dev->name, sizeof ifr.ifr_name);
    ifr.ifr_mtu = mtu;
    ovs_mutex_lock(&dev->mutex);
    error = af_inet_ifreq_ioctl(dev->name, &ifr, SIOCSIFMTU, "SIOCSIFMTU");
    if (!error) {
        dev->mtu = mtu;
    }
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

void
netdev_mon_set_interval(int interval_ms)
{
    struct mon_config *old, *new = xmalloc(sizeof *new);

    new->interval_ms = interval_ms;
    mon_lock();
    old = ovsrcu_get_protected(struct mon_config *, &mon_cfg);
    ovsrcu_set(&mon_cfg, new);
    mon_unlock();
    if (old) {
        ovsrcu_postpone(free, old);
    }
}
