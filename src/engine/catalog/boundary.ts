/**
 * User/kernel boundary: userspace requests the kernel serialises on RTNL (lock-catalog.md §3).
 * A call to an ioctl-style function passing one of RTNL_IOCTLS, or a netlink transaction in a
 * function that builds a request with one of RTNL_MESSAGES, counts as acquiring and releasing
 * `rtnl_mutex` for the duration of the call.
 */

/** ioctls handled under rtnl_lock()/rtnl_net_lock() in net/core/dev_ioctl.c (and dev_ethtool). */
export const RTNL_IOCTLS: readonly string[] = [
  'SIOCETHTOOL',
  'SIOCGMIIPHY',
  'SIOCGMIIREG',
  'SIOCSMIIREG',
  'SIOCSIFNAME',
  'SIOCSIFMAP',
  'SIOCSIFTXQLEN',
  'SIOCSIFFLAGS',
  'SIOCSIFMETRIC',
  'SIOCSIFMTU',
  'SIOCSIFHWADDR',
  'SIOCSIFSLAVE',
  'SIOCADDMULTI',
  'SIOCDELMULTI',
  'SIOCSIFHWBROADCAST',
  'SIOCBONDENSLAVE',
  'SIOCBONDRELEASE',
  'SIOCBONDSETHWADDR',
  'SIOCBONDCHANGEACTIVE',
  'SIOCBONDSLAVEINFOQUERY',
  'SIOCBONDINFOQUERY',
  'SIOCSHWTSTAMP',
  'SIOCGHWTSTAMP',
  'SIOCWANDEV',
  'SIOCGIFCONF',
];

/** Read-only ioctls served under RCU only: explicitly NOT RTNL (kept for documentation and tests). */
export const NON_RTNL_IOCTLS: readonly string[] = [
  'SIOCGIFFLAGS',
  'SIOCGIFMETRIC',
  'SIOCGIFMTU',
  'SIOCGIFSLAVE',
  'SIOCGIFMAP',
  'SIOCGIFINDEX',
  'SIOCGIFTXQLEN',
  'SIOCGIFNAME',
  'SIOCGIFHWADDR',
];

/** Functions that issue an ioctl whose command is one of their arguments. */
export const IOCTL_FUNCTIONS: readonly string[] = [
  'ioctl',
  'af_inet_ioctl',
  'af_inet_ifreq_ioctl',
  'netdev_linux_do_ioctl',
  'netdev_linux_do_miimon',
];

/** rtnetlink message types whose handlers run under RTNL (doit without DOIT_UNLOCKED, or PERNET). */
export const RTNL_MESSAGES: readonly string[] = [
  'RTM_NEWLINK',
  'RTM_DELLINK',
  'RTM_SETLINK',
  'RTM_GETLINK',
  'RTM_NEWQDISC',
  'RTM_DELQDISC',
  'RTM_GETQDISC',
  'RTM_NEWTCLASS',
  'RTM_DELTCLASS',
  'RTM_GETTCLASS',
  'RTM_NEWCHAIN',
  'RTM_DELCHAIN',
  'RTM_GETCHAIN',
  'RTM_NEWACTION',
  'RTM_DELACTION',
  'RTM_GETACTION',
  'RTM_NEWRULE',
  'RTM_DELRULE',
  'RTM_NEWNEIGH',
  'RTM_DELNEIGH',
];

/** Netlink calls that send a request and wait for (or start) the kernel's processing of it. */
export const NETLINK_TRANSACT_FUNCTIONS: readonly string[] = [
  'nl_transact',
  'nl_sock_transact',
  'nl_transact_multiple',
  'nl_sock_transact_multiple',
  'nl_dump_start',
  'nl_sock_send',
  'nl_sock_send_seq',
];
