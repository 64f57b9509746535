/**
 * Tiny arithmetic expressions over scenario parameters, so a scenario can say
 * `"count": "2 * n_ifaces"` or `"mean": "rtnl_delay_us"`. Grammar: numbers, identifiers,
 * + - * / %, unary minus, parentheses, and the functions min, max, floor, ceil, round,
 * sqrt. No other code is ever evaluated.
 *
 * Expressions are untrusted text, so nothing here may throw or recurse without bound:
 * - names are looked up as own entries only (a Map of functions, own properties of the
 *   parameters), so `toString()` or `constructor` never reach Object.prototype;
 * - the recursive-descent parser stops at MAX_EXPR_DEPTH nested parentheses, function calls
 *   and unary signs;
 * - left-associative chains (`1+1+...+1`) build trees as deep as they are long, so evaluation
 *   and identifier collection walk the tree with an explicit stack instead of recursing.
 */

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'id'; name: string }
  | { k: 'neg'; e: Expr }
  | { k: 'bin'; op: '+' | '-' | '*' | '/' | '%'; a: Expr; b: Expr }
  | { k: 'fn'; name: string; args: Expr[] };

/** Parentheses, function calls and unary signs may nest this deep (docs/simulator.md). */
export const MAX_EXPR_DEPTH = 256;

/**
 * The functions, keyed in a Map so only these names resolve. They take the argument list
 * rather than spreading it: `min(1, 1, ...)` with very many arguments must not overflow the
 * stack. The results equal Math.min(...a) etc. exactly (a pairwise min/max fold gives the same
 * value, NaN and ±0 included; the one-argument functions ignore extra arguments as Math does).
 */
const FUNCS: ReadonlyMap<string, (a: readonly number[]) => number> = new Map([
  ['min', (a: readonly number[]) => a.reduce((x, y) => Math.min(x, y), Infinity)],
  ['max', (a: readonly number[]) => a.reduce((x, y) => Math.max(x, y), -Infinity)],
  ['floor', (a: readonly number[]) => Math.floor(a[0])],
  ['ceil', (a: readonly number[]) => Math.ceil(a[0])],
  ['round', (a: readonly number[]) => Math.round(a[0])],
  ['sqrt', (a: readonly number[]) => Math.sqrt(a[0])],
]);
const FUNC_LIST = [...FUNCS.keys()].sort().join(', ');

/** Expressions are echoed in messages (validation and compile errors); a long one is cut. */
export function clipExpr(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** Parses `text`; returns an error message instead of throwing. */
export function parseExpr(text: string): { expr?: Expr; error?: string } {
  if (typeof text !== 'string') return { error: 'expected a string' };
  const toks = text.match(/\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+|[-+*/%(),]|\S)/g) ?? [];
  const t = toks.map((s) => s.trim());
  let i = 0;
  let depth = 0;
  const fail = (msg: string): never => {
    throw new ExprError(msg);
  };
  const peek = (): string | undefined => t[i];
  /** Every recursive construct goes through here, which bounds the parser's stack. */
  const nested = <T>(f: () => T): T => {
    if (++depth > MAX_EXPR_DEPTH) fail(`nesting deeper than ${MAX_EXPR_DEPTH} levels (parentheses, function calls, unary signs)`);
    const r = f();
    depth--;
    return r;
  };
  const primary = (): Expr => {
    const s = t[i++];
    if (s === undefined) return fail('unexpected end of expression');
    if (s === '(') {
      return nested(() => {
        const e = sum();
        if (t[i++] !== ')') fail("missing ')'");
        return e;
      });
    }
    if (s === '-') return nested((): Expr => ({ k: 'neg', e: primary() }));
    if (s === '+') return nested(primary);
    if (/^[\d.]/.test(s)) return { k: 'num', v: Number(s) };
    if (/^[A-Za-z_]/.test(s)) {
      if (peek() === '(') {
        if (!FUNCS.has(s)) fail(`unknown function '${s}' (known: ${FUNC_LIST})`);
        i++;
        return nested((): Expr => {
          const args: Expr[] = [];
          if (peek() !== ')') {
            args.push(sum());
            while (peek() === ',') {
              i++;
              args.push(sum());
            }
          }
          if (t[i++] !== ')') fail("missing ')'");
          return { k: 'fn', name: s, args };
        });
      }
      return { k: 'id', name: s };
    }
    return fail(`unexpected '${s}'`);
  };
  const product = (): Expr => {
    let e = primary();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = t[i++] as '*' | '/' | '%';
      e = { k: 'bin', op, a: e, b: primary() };
    }
    return e;
  };
  const sum = (): Expr => {
    let e = product();
    while (peek() === '+' || peek() === '-') {
      const op = t[i++] as '+' | '-';
      e = { k: 'bin', op, a: e, b: product() };
    }
    return e;
  };
  try {
    if (t.length === 0) fail('empty expression');
    const e = sum();
    if (i < t.length) fail(`unexpected '${t[i]}'`);
    return { expr: e };
  } catch (err) {
    if (err instanceof ExprError) return { error: err.message };
    // The depth limit keeps the parser's stack small; should anything else still go wrong,
    // the caller gets a message, never an exception (untrusted input).
    return { error: `cannot parse: ${err instanceof Error ? err.message : String(err)}` };
  }
}

class ExprError extends Error {}

/** Identifiers an expression refers to. */
export function exprIdents(e: Expr, out: Set<string> = new Set()): Set<string> {
  const todo: Expr[] = [e];
  for (let n = todo.pop(); n !== undefined; n = todo.pop()) {
    switch (n.k) {
      case 'id':
        out.add(n.name);
        break;
      case 'neg':
        todo.push(n.e);
        break;
      case 'bin':
        todo.push(n.b, n.a);
        break;
      case 'fn':
        for (let j = n.args.length - 1; j >= 0; j--) todo.push(n.args[j]);
        break;
      case 'num':
        break;
    }
  }
  return out;
}

/**
 * Evaluates with `params`; unknown identifiers (and inherited names such as `constructor`)
 * evaluate to NaN (validation reports them first). Post-order with an explicit stack: the
 * same operations on the same operands as a recursive evaluation, so the same bits.
 */
export function evalExpr(e: Expr, params: Readonly<Record<string, number>>): number {
  const vals: number[] = [];
  // A node is pushed twice: first to schedule its operands, then (`apply`) to combine them.
  const todo: { n: Expr; apply: boolean }[] = [{ n: e, apply: false }];
  for (let w = todo.pop(); w !== undefined; w = todo.pop()) {
    const n = w.n;
    switch (n.k) {
      case 'num':
        vals.push(n.v);
        break;
      case 'id':
        vals.push(Object.hasOwn(params, n.name) ? params[n.name] : NaN);
        break;
      case 'neg':
        if (w.apply) vals.push(-(vals.pop() as number));
        else todo.push({ n, apply: true }, { n: n.e, apply: false });
        break;
      case 'bin':
        if (w.apply) {
          const b = vals.pop() as number;
          const a = vals.pop() as number;
          vals.push(applyBin(n.op, a, b));
        } else todo.push({ n, apply: true }, { n: n.b, apply: false }, { n: n.a, apply: false });
        break;
      case 'fn':
        if (w.apply) {
          const args = vals.splice(vals.length - n.args.length, n.args.length);
          const f = FUNCS.get(n.name);
          vals.push(f ? f(args) : NaN); // the parser only builds calls of known functions
        } else {
          todo.push({ n, apply: true });
          for (let j = n.args.length - 1; j >= 0; j--) todo.push({ n: n.args[j], apply: false });
        }
        break;
    }
  }
  return vals.pop() as number;
}

function applyBin(op: '+' | '-' | '*' | '/' | '%', a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
  }
}
