/**
 * User configuration: `.locklens.json` in the analysed root, `--config FILE`, or the
 * `locklens.*` VS Code settings. Validation lives in `config-validate.ts` (clear errors
 * naming the field); this file holds only the shape and the defaults.
 */

/** A user-defined primitive, merged over the built-in catalog (same name = override). */
export interface PrimitiveSpec {
  /** Function or macro name as called. */
  name: string;
  kind:
    | 'acquire'
    | 'acquire_shared'
    | 'release'
    | 'trylock'
    | 'trylock_shared'
    | 'cond_acquire'
    | 'assert'
    | 'rcu_read_lock'
    | 'rcu_read_unlock'
    | 'sleep'
    | 'wait';
  /** 1-based argument holding the lock expression; omit for primitives on a fixed lock. */
  lockArg?: number;
  /** Fixed lock class id (e.g. `my_big_lock`) when the primitive takes no lock argument. */
  lock?: string;
  /** For trylock/cond_acquire: the return value meaning "acquired". */
  success?: 'nonzero' | 'zero';
  lockType?: 'mutex' | 'spinlock' | 'rwlock' | 'rwsem' | 'semaphore';
}

export interface LockLensConfig {
  primitives: PrimitiveSpec[];
  /** Lock class ids under contention (`rtnl_mutex` is always included). */
  contendedLocks: string[];
  /** Hot-path entry points: function names or globs (`upcall_*`). */
  hotPaths: string[];
  /** Periodic/poll functions (globs); `*_run`, `*_wait`, `*_poll` are built in. */
  periodicFunctions: string[];
  include: string[];
  exclude: string[];
  /** Files larger than this are skipped with a reported reason. */
  maxFileBytes: number;
  /** Per-file parse+extract budget; exceeded ⇒ skipped with a reported reason. */
  fileTimeBudgetMs: number;
  /** Model `rtnl_net_lock(net)` as taking the global RTNL as well (the kernel's default config). */
  perNetRtnlAlsoGlobal: boolean;
}

export const DEFAULT_CONFIG: LockLensConfig = {
  primitives: [],
  contendedLocks: ['rtnl_mutex'],
  hotPaths: [],
  periodicFunctions: ['*_run', '*_wait', '*_poll', '*_periodic', 'run', 'wait'],
  include: ['**/*.c', '**/*.h'],
  exclude: ['**/node_modules/**', '**/.git/**'],
  maxFileBytes: 4 * 1024 * 1024,
  fileTimeBudgetMs: 5000,
  perNetRtnlAlsoGlobal: false,
};
