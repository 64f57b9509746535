/**
 * Validation of user configuration (`.locklens.json`, `--config`, VS Code settings).
 * Errors name the field path (`primitives[2].kind: expected one of ...`) so a user can fix
 * the file without reading our source.
 */
import { DEFAULT_CONFIG, type LockLensConfig, type PrimitiveSpec } from './config';

const PRIMITIVE_KINDS: readonly PrimitiveSpec['kind'][] = [
  'acquire',
  'acquire_shared',
  'release',
  'trylock',
  'trylock_shared',
  'cond_acquire',
  'assert',
  'rcu_read_lock',
  'rcu_read_unlock',
  'sleep',
  'wait',
];
const LOCK_TYPES = ['mutex', 'spinlock', 'rwlock', 'rwsem', 'semaphore'] as const;

export interface ConfigValidation {
  config: LockLensConfig;
  errors: string[];
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Merges `raw` over the defaults; unknown keys and wrong types become errors (the default is kept). */
export function validateConfig(raw: unknown, source = 'config'): ConfigValidation {
  const errors: string[] = [];
  const config: LockLensConfig = {
    ...DEFAULT_CONFIG,
    primitives: [],
    contendedLocks: [...DEFAULT_CONFIG.contendedLocks],
    hotPaths: [],
    periodicFunctions: [...DEFAULT_CONFIG.periodicFunctions],
    include: [...DEFAULT_CONFIG.include],
    exclude: [...DEFAULT_CONFIG.exclude],
  };
  if (raw === undefined || raw === null) return { config, errors };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { config, errors: [`${source}: expected a JSON object`] };
  }
  const obj = raw as Record<string, unknown>;
  const known = new Set(Object.keys(DEFAULT_CONFIG).concat(['$schema']));
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) errors.push(`${source}.${key}: unknown setting (known: ${[...known].filter((k) => k !== '$schema').join(', ')})`);
  }

  const stringLists = ['contendedLocks', 'hotPaths', 'periodicFunctions', 'include', 'exclude'] as const;
  for (const key of stringLists) {
    if (obj[key] === undefined) continue;
    if (!isStringArray(obj[key])) {
      errors.push(`${source}.${key}: expected an array of strings`);
      continue;
    }
    const list = obj[key] as string[];
    // Contended locks add to RTNL; include/exclude/periodic replace the defaults when given.
    if (key === 'contendedLocks') config.contendedLocks = [...new Set([...config.contendedLocks, ...list])];
    else config[key] = [...list];
  }
  for (const key of ['maxFileBytes', 'fileTimeBudgetMs'] as const) {
    if (obj[key] === undefined) continue;
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) errors.push(`${source}.${key}: expected a positive number`);
    else config[key] = v;
  }
  if (obj.perNetRtnlAlsoGlobal !== undefined) {
    if (typeof obj.perNetRtnlAlsoGlobal !== 'boolean') errors.push(`${source}.perNetRtnlAlsoGlobal: expected true or false`);
    else config.perNetRtnlAlsoGlobal = obj.perNetRtnlAlsoGlobal;
  }
  if (obj.primitives !== undefined) {
    if (!Array.isArray(obj.primitives)) errors.push(`${source}.primitives: expected an array`);
    else obj.primitives.forEach((p, i) => {
      const spec = validatePrimitive(p, `${source}.primitives[${i}]`, errors);
      if (spec) config.primitives.push(spec);
    });
  }
  return { config, errors };
}

function validatePrimitive(p: unknown, path: string, errors: string[]): PrimitiveSpec | null {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    errors.push(`${path}: expected an object like {"name": "my_lock", "kind": "acquire", "lockArg": 1}`);
    return null;
  }
  const o = p as Record<string, unknown>;
  const before = errors.length;
  if (typeof o.name !== 'string' || !/^[A-Za-z_]\w*$/.test(o.name)) errors.push(`${path}.name: expected a C identifier`);
  if (typeof o.kind !== 'string' || !PRIMITIVE_KINDS.includes(o.kind as PrimitiveSpec['kind'])) {
    errors.push(`${path}.kind: expected one of ${PRIMITIVE_KINDS.join(', ')}`);
  }
  if (o.lockArg !== undefined && (typeof o.lockArg !== 'number' || !Number.isInteger(o.lockArg) || o.lockArg < 1)) {
    errors.push(`${path}.lockArg: expected a 1-based argument index`);
  }
  if (o.lock !== undefined && typeof o.lock !== 'string') errors.push(`${path}.lock: expected a lock class id string`);
  if (o.success !== undefined && o.success !== 'nonzero' && o.success !== 'zero') {
    errors.push(`${path}.success: expected "nonzero" or "zero"`);
  }
  if (o.lockType !== undefined && !LOCK_TYPES.includes(o.lockType as (typeof LOCK_TYPES)[number])) {
    errors.push(`${path}.lockType: expected one of ${LOCK_TYPES.join(', ')}`);
  }
  const needsLock = ['acquire', 'acquire_shared', 'release', 'trylock', 'trylock_shared', 'cond_acquire', 'assert'];
  if (needsLock.includes(o.kind as string) && o.lockArg === undefined && o.lock === undefined) {
    errors.push(`${path}: a "${String(o.kind)}" primitive needs "lockArg" (argument index) or "lock" (fixed class id)`);
  }
  for (const key of Object.keys(o)) {
    if (!['name', 'kind', 'lockArg', 'lock', 'success', 'lockType'].includes(key)) errors.push(`${path}.${key}: unknown field`);
  }
  if (errors.length > before) return null;
  return o as unknown as PrimitiveSpec;
}
