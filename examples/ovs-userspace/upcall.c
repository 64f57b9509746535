/*
 * A ukey-style flow key map (modelled on the seed 002 pattern, written from
 * scratch). Handler threads install keys; the install returns with the new
 * key's mutex held (OVS_TRY_LOCK hand-off), and a key whose flow was deleted
 * can be replaced in place, the old key being freed after an RCU grace period.
 */
#include <config.h>
#include <stdbool.h>
#include <stdlib.h>
#include "cmap.h"
#include "ovs-rcu.h"
#include "openvswitch/thread.h"

struct uk_map {
    struct ovs_mutex mutex;
    struct cmap cmap;
};

struct uk_key {
    struct cmap_node cmap_node;
    struct ovs_mutex mutex;
    uint32_t hash;
    bool flow_exists OVS_GUARDED;
    long long int created OVS_GUARDED;
};

static void
uk_key_delete(struct uk_key *key)
{
    ovs_mutex_destroy(&key->mutex);
    free(key);
}

static struct uk_key *
uk_lookup__(struct uk_map *map, uint32_t hash)
    OVS_REQUIRES(map->mutex)
{
    struct uk_key *key;

    CMAP_FOR_EACH_WITH_HASH (key, cmap_node, hash, &map->cmap) {
        return key;
    }
    return NULL;
}

static bool
uk_try_replace(struct uk_map *map, struct uk_key *old, struct uk_key *new)
    OVS_REQUIRES(map->mutex)
    OVS_TRY_LOCK(true, new->mutex)
{
    bool replaced = false;

    /* 'new' is not visible to other threads yet, so this never contends. */
    ovs_mutex_lock(&new->mutex);
    if (!ovs_mutex_trylock(&old->mutex)) {
        if (!old->flow_exists) {
            cmap_replace(&map->cmap, &old->cmap_node, &new->cmap_node,
                         new->hash);
            ovsrcu_postpone(uk_key_delete, old);
            replaced = true;
        }
        ovs_mutex_unlock(&old->mutex);
    }
    if (!replaced) {
        ovs_mutex_unlock(&new->mutex);
    }
    return replaced;
}

static bool
uk_install_start(struct uk_map *map, struct uk_key *new)
    OVS_TRY_LOCK(true, new->mutex)
{
    struct uk_key *old;
    bool locked;

    ovs_mutex_lock(&map->mutex);
    old = uk_lookup__(map, new->hash);
    if (!old) {
        ovs_mutex_lock(&new->mutex);
        cmap_insert(&map->cmap, &new->cmap_node, new->hash);
        locked = true;
    } else {
        locked = uk_try_replace(map, old, new);
    }
    ovs_mutex_unlock(&map->mutex);
    return locked;
}

static void
uk_key_mark_installed(struct uk_key *key, long long int now)
    OVS_REQUIRES(key->mutex)
{
    key->flow_exists = true;
    key->created = now;
}

/* Handler thread: the upcall hot path. */
bool
upcall_install_flow(struct uk_map *map, struct uk_key *new, long long int now)
{
    if (!uk_install_start(map, new)) {
        uk_key_delete(new);
        return false;
    }
    uk_key_mark_installed(new, now);
    ovs_mutex_unlock(&new->mutex);
    return true;
}

/* Revalidator thread: skip keys a handler is busy with. */
void
uk_sweep(struct uk_map *map)
{
    struct uk_key *key;

    ovs_mutex_lock(&map->mutex);
    CMAP_FOR_EACH (key, cmap_node, &map->cmap) {
        if (ovs_mutex_trylock(&key->mutex)) {
            continue;
        }
        if (!key->flow_exists) {
            cmap_remove(&map->cmap, &key->cmap_node, key->hash);
            ovsrcu_postpone(uk_key_delete, key);
        }
        ovs_mutex_unlock(&key->mutex);
    }
    ovs_mutex_unlock(&map->mutex);
}
