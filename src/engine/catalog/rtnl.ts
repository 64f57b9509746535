/**
 * RTNL lock classes. Detectors and the dataflow ask `isRtnlClass` rather than comparing ids
 * themselves, so "is this RTNL?" has one answer; the kernel rows lock RTNL_CLASS.
 */

/** The global RTNL: `rtnl_lock()` takes the `rtnl_mutex` of net/core/rtnetlink.c. */
export const RTNL_CLASS = 'rtnl_mutex';
/** Per-netns RTNL taken by `rtnl_net_lock(net)` (lock kind `per-net`). */
export const PER_NET_RTNL_CLASS = 'rtnl_mutex[net]';

/**
 * The global or per-netns RTNL. `rtnl_mutex@<file>` is a file-static `rtnl_mutex` told apart
 * from another file's (Program.globalId), still the tree's RTNL. Look-alikes such as a global
 * `rtnl_mutex_key` are not RTNL.
 */
export function isRtnlClass(id: string): boolean {
  return id === RTNL_CLASS || id === PER_NET_RTNL_CLASS || id.startsWith('rtnl_mutex@');
}
