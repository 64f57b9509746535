/**
 * Lock annotation macros of the kernel (sparse / context analysis) and OVS (Clang thread-safety
 * analysis). The masker (parse/preprocess.ts) reads them off declarations; patch-only mode
 * (series/hunk-scan.ts) reports added and removed ones.
 */
import type { Annotation } from '../ir';

/** Function annotations and the normalised kind each one declares. */
export const ANNOTATION_KINDS: Record<string, Annotation['kind']> = {
  OVS_REQUIRES: 'requires',
  OVS_REQ_WRLOCK: 'requires',
  OVS_REQ_RDLOCK: 'requires_shared',
  __must_hold: 'requires',
  __must_hold_shared: 'requires_shared',
  OVS_ACQUIRES: 'acquires',
  OVS_ACQ_WRLOCK: 'acquires',
  OVS_ACQ_RDLOCK: 'acquires_shared',
  __acquires: 'acquires',
  __acquires_shared: 'acquires_shared',
  OVS_RELEASES: 'releases',
  __releases: 'releases',
  __releases_shared: 'releases',
  // Release plus an inverted conditional acquire; modelled as a release carrying `ret`.
  __cond_releases: 'releases',
  OVS_EXCLUDED: 'excluded',
  __must_not_hold: 'excluded',
  OVS_TRY_LOCK: 'try',
  OVS_TRY_WRLOCK: 'try',
  OVS_TRY_RDLOCK: 'try',
  __cond_acquires: 'try',
  __cond_acquires_shared: 'try',
  OVS_NO_THREAD_SAFETY_ANALYSIS: 'no_analysis',
  __no_context_analysis: 'no_analysis',
};

/** Macros whose first argument is the "acquired" return value. */
export const TRY_WITH_RET = new Set(['OVS_TRY_LOCK', 'OVS_TRY_WRLOCK', 'OVS_TRY_RDLOCK']);
/** Kernel conditional annotations: `(ret, x)` in the context-analysis series, `(x)` in 6.12 sparse. */
export const KERNEL_COND = new Set(['__cond_acquires', '__cond_acquires_shared', '__cond_releases']);

/** Field annotations naming the lock that guards a member (`OVS_GUARDED_BY(m)`, bare `OVS_GUARDED`). */
export const GUARDED_MACROS = new Set(['OVS_GUARDED_BY', 'OVS_PT_GUARDED_BY', '__guarded_by', '__pt_guarded_by', 'OVS_GUARDED', 'OVS_PT_GUARDED']);

/** Every lock annotation name: function annotations, then field (guarded-by) annotations. */
export const LOCK_ANNOTATION_NAMES: readonly string[] = [...Object.keys(ANNOTATION_KINDS), ...GUARDED_MACROS];

/** Marks of an RCU-protected pointer declaration: the sparse qualifier and the OVS wrapper macro. */
export const RCU_POINTER_QUALIFIER = '__rcu';
export const RCU_POINTER_TYPE_MACRO = 'OVSRCU_TYPE';
