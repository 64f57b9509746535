// SPDX-License-Identifier: GPL-2.0
/*
 * Vport types. Each type is an ops table; .create and .destroy take RTNL, so
 * every caller that holds kdp_mutex nests RTNL inside it (an indirect call
 * LockLens resolves through the initialisers below).
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include "kdp.h"

static int kdp_netdev_link(struct kdp_vport *vport, const char *name)
{
	struct net_device *dev;
	int err;

	dev = dev_get_by_name(vport->dp->net, name);
	if (!dev)
		return -ENODEV;

	rtnl_lock();
	err = dev_set_promiscuity(dev, 1);
	if (err) {
		rtnl_unlock();
		dev_put(dev);
		return err;
	}
	vport->dev = dev;
	rtnl_unlock();
	return 0;
}

static struct kdp_vport *kdp_netdev_create(const struct kdp_vport_parms *parms)
{
	struct kdp_vport *vport;

	vport = kzalloc(sizeof(*vport), GFP_KERNEL);
	if (!vport)
		return ERR_PTR(-ENOMEM);
	vport->dp = parms->dp;
	vport->port_no = parms->port_no;
	if (kdp_netdev_link(vport, parms->name)) {
		kfree(vport);
		return ERR_PTR(-ENODEV);
	}
	return vport;
}

static void kdp_netdev_destroy(struct kdp_vport *vport)
{
	rtnl_lock();
	dev_set_promiscuity(vport->dev, -1);
	rtnl_unlock();
	dev_put(vport->dev);
	kfree_rcu(vport, rcu);
}

static struct kdp_vport *kdp_internal_create(const struct kdp_vport_parms *parms)
{
	struct kdp_vport *vport;
	int err;

	vport = kzalloc(sizeof(*vport), GFP_KERNEL);
	if (!vport)
		return ERR_PTR(-ENOMEM);
	vport->dp = parms->dp;
	vport->port_no = parms->port_no;
	vport->dev = alloc_netdev(0, parms->name, NET_NAME_USER, ether_setup);
	if (!vport->dev) {
		kfree(vport);
		return ERR_PTR(-ENOMEM);
	}

	rtnl_lock();
	err = register_netdevice(vport->dev);
	rtnl_unlock();
	if (err) {
		free_netdev(vport->dev);
		kfree(vport);
		return ERR_PTR(err);
	}
	return vport;
}

static void kdp_internal_destroy(struct kdp_vport *vport)
{
	rtnl_lock();
	unregister_netdevice(vport->dev);
	rtnl_unlock();
	kfree_rcu(vport, rcu);
}

static const struct kdp_vport_ops kdp_netdev_ops = {
	.type = 1,
	.create = kdp_netdev_create,
	.destroy = kdp_netdev_destroy,
};

static const struct kdp_vport_ops kdp_internal_ops = {
	.type = 2,
	.create = kdp_internal_create,
	.destroy = kdp_internal_destroy,
};

static const struct kdp_vport_ops *kdp_vport_ops_lookup(int type)
{
	if (type == kdp_netdev_ops.type)
		return &kdp_netdev_ops;
	if (type == kdp_internal_ops.type)
		return &kdp_internal_ops;
	return NULL;
}

/* Called with kdp_mutex held. */
struct kdp_vport *kdp_vport_add(const struct kdp_vport_parms *parms)
{
	const struct kdp_vport_ops *ops = kdp_vport_ops_lookup(parms->type);
	struct kdp_vport *vport;

	if (!ops)
		return ERR_PTR(-EAFNOSUPPORT);
	vport = ops->create(parms);
	if (!IS_ERR(vport))
		vport->ops = ops;
	return vport;
}

/* Called with kdp_mutex held. */
void kdp_vport_del(struct kdp_vport *vport)
{
	vport->ops->destroy(vport);
}
