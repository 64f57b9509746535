/**
 * Intermediate representation produced per file by `parse/extract.ts` and consumed by
 * `analysis/`. It is the only contract between the tree-sitter world and the lock
 * analysis: plain serialisable data (so per-file facts can be cached by content hash and
 * computed in worker threads), no tree-sitter nodes.
 *
 * Lines are 1-based, columns 0-based, and refer to the ORIGINAL source text (macro
 * masking in `parse/preprocess/macro-mask.ts` preserves offsets).
 */

/** A C type, reduced to what lock analysis needs. */
export interface TypeRef {
  /** Base type text without qualifiers/pointers: `struct datapath`, `spinlock_t`, `int`, `u32`. */
  base: string;
  /** Struct/union tag when the base is `struct X`/`union X` or a typedef known in the same file, else null. */
  struct: string | null;
  /** Pointer depth (`struct dp **` = 2). Arrays count as one level. */
  ptr: number;
  /** Declared with the sparse `__rcu` qualifier, or OVSRCU_TYPE(...). */
  rcu: boolean;
}

export interface VarDecl {
  name: string;
  type: TypeRef;
  line: number;
}

export type Expr =
  | { k: 'id'; name: string; line: number; col: number }
  | { k: 'num'; text: string }
  | { k: 'str' }
  | { k: 'call'; callee: Expr; args: Expr[]; line: number; col: number; endLine: number; text: string }
  | { k: 'field'; base: Expr; field: string; arrow: boolean }
  | { k: 'index'; base: Expr; index: Expr }
  /** Prefix operators: `!`, `&`, `*`, `-`, `~`, `++`, `--`; postfix `++`/`--` use op `post++`/`post--`. */
  | { k: 'unary'; op: string; arg: Expr }
  | { k: 'binary'; op: string; left: Expr; right: Expr }
  | { k: 'assign'; op: string; left: Expr; right: Expr }
  | { k: 'cond'; test: Expr; then: Expr; else: Expr }
  | { k: 'cast'; type: TypeRef; arg: Expr }
  | { k: 'comma'; exprs: Expr[] }
  | { k: 'sizeof' }
  /** Brace initialiser `{ .f = v, ... }`; `field` is set for designated entries. */
  | { k: 'init'; entries: { field: string | null; value: Expr }[] }
  /** Statement expression `({ ... })`, GNU. */
  | { k: 'stmtexpr'; body: Stmt }
  /** Anything else; `sub` keeps the nested expressions so calls inside are not lost. */
  | { k: 'other'; text: string; sub: Expr[] };

export type Stmt =
  | { k: 'block'; body: Stmt[]; line: number; endLine: number }
  | { k: 'expr'; expr: Expr; line: number }
  /** Local declaration. `cleanup` = the `__free(name)`/`__cleanup(fn)` attribute argument, if any. */
  | { k: 'decl'; decl: VarDecl; init: Expr | null; cleanup: string | null; line: number }
  | { k: 'if'; cond: Expr; then: Stmt; else: Stmt | null; line: number }
  /**
   * `while`, and iterator macros (`list_for_each_entry(...) { }`, `HMAP_FOR_EACH (...)`,
   * `CMAP_FOR_EACH`...) which are rewritten to while loops: `macro` then holds the macro name and
   * `cond` a comma expression of its arguments.
   */
  | { k: 'while'; cond: Expr; body: Stmt; line: number; macro: string | null }
  | { k: 'do'; body: Stmt; cond: Expr; line: number }
  | { k: 'for'; init: Stmt | null; cond: Expr | null; update: Expr | null; body: Stmt; line: number }
  | { k: 'switch'; cond: Expr; body: Stmt; line: number }
  /** `case X:` / `default:` (value null). The labelled statement follows in the same block. */
  | { k: 'case'; value: Expr | null; line: number }
  | { k: 'break'; line: number }
  | { k: 'continue'; line: number }
  | { k: 'return'; expr: Expr | null; line: number }
  | { k: 'goto'; label: string; line: number }
  /** `label:`; the labelled statement follows in the same block. */
  | { k: 'label'; name: string; line: number }
  /** cleanup.h `guard(cls)(args);` — held until the end of the enclosing block. */
  | { k: 'guard'; cls: string; args: Expr[]; line: number; col: number; text: string }
  /** cleanup.h `scoped_guard(cls, args...) body` / `scoped_cond_guard(cls, fail, args...) body`. */
  | { k: 'scoped_guard'; cls: string; args: Expr[]; fail: Stmt | null; body: Stmt; line: number; col: number; text: string }
  /** `#if/#ifdef/#else` inside a body: every arm is analysed (a non-deterministic choice). */
  | { k: 'alt'; arms: Stmt[]; line: number }
  /** Something the extractor could not model; its calls are still kept, in order. */
  | { k: 'unknown'; text: string; calls: Expr[]; line: number };

/** A lock annotation attached to a function (prototype or definition, merged later). */
export interface Annotation {
  /**
   * Normalised kind:
   * requires / requires_shared (OVS_REQUIRES, OVS_REQ_RDLOCK, OVS_REQ_WRLOCK, __must_hold),
   * acquires / acquires_shared (OVS_ACQUIRES, OVS_ACQ_RDLOCK, OVS_ACQ_WRLOCK, __acquires),
   * releases (OVS_RELEASES, __releases), excluded (OVS_EXCLUDED, __must_not_hold),
   * try (OVS_TRY_LOCK/OVS_TRY_RDLOCK/OVS_TRY_WRLOCK, __cond_acquires), no_analysis (OVS_NO_THREAD_SAFETY_ANALYSIS).
   */
  kind: 'requires' | 'requires_shared' | 'acquires' | 'acquires_shared' | 'releases' | 'excluded' | 'try' | 'no_analysis';
  /** Macro name as written (`OVS_REQUIRES`, `__acquires`, ...). */
  macro: string;
  /** Lock expressions as written (comma list split, balanced parens), e.g. `umap->mutex`, `&dp->lock`. */
  locks: string[];
  /** For `try`: the return value meaning "acquired" as written (`true`, `0`, `1`, `nonzero`...). */
  ret: string | null;
  line: number;
}

export interface FunctionIR {
  name: string;
  file: string;
  line: number;
  col: number;
  endLine: number;
  isStatic: boolean;
  returnType: TypeRef;
  params: VarDecl[];
  annotations: Annotation[];
  body: Stmt;
  /** The body had ERROR nodes; `unknown` statements were produced for what could not be recovered. */
  hasErrors: boolean;
  /** Enclosing `#if` condition texts, outermost first (for reports; both arms are extracted). */
  preproc: string[];
}

export interface PrototypeIR {
  name: string;
  line: number;
  isStatic: boolean;
  params: VarDecl[];
  annotations: Annotation[];
}

export interface StructIR {
  name: string;
  line: number;
  fields: VarDecl[];
}

export interface GlobalIR {
  name: string;
  type: TypeRef;
  isStatic: boolean;
  line: number;
  /** Initialiser, e.g. the ops-table `{ .create = netdev_create, ... }`. */
  init: Expr | null;
  /** Declared by a definer macro: DEFINE_MUTEX, DEFINE_SPINLOCK, DEFINE_RWLOCK, DECLARE_RWSEM, DEFINE_SRCU, OVS_MUTEX_INITIALIZER... */
  definer: string | null;
}

export interface TypedefIR {
  name: string;
  type: TypeRef;
}

/** Simple `#define NAME(args) body` / `#define NAME body`, kept so wrapper macros can be expanded. */
export interface MacroIR {
  name: string;
  params: string[] | null;
  body: string;
  line: number;
}

export interface FileFacts {
  /** Path relative to the analysed root, `/` separators. */
  file: string;
  /** Content hash (sha1 hex) of the text the facts were extracted from; cache key. */
  hash: string;
  bytes: number;
  lines: number;
  functions: FunctionIR[];
  prototypes: PrototypeIR[];
  structs: StructIR[];
  typedefs: TypedefIR[];
  globals: GlobalIR[];
  macros: MacroIR[];
  /** ERROR nodes in the tree after masking (0 = clean). */
  errorNodes: number;
  /** ERROR nodes in a parse of the unmasked text, for the report (how much masking helped). */
  errorNodesUnmasked: number;
  /** Function-like regions that could not be turned into a FunctionIR at all. */
  unmodeled: { name: string | null; line: number; reason: string }[];
  problems: { severity: 'error' | 'warning' | 'info'; code: string; message: string; line?: number }[];
  parseMs: number;
  extractMs: number;
}
