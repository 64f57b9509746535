/**
 * Tiny arithmetic expressions over scenario parameters, so a scenario can say
 * `"count": "2 * n_ifaces"` or `"mean": "rtnl_delay_us"`. Grammar: numbers, identifiers,
 * + - * / %, unary minus, parentheses, and the functions min, max, floor, ceil, round,
 * sqrt. No other code is ever evaluated.
 */

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'id'; name: string }
  | { k: 'neg'; e: Expr }
  | { k: 'bin'; op: '+' | '-' | '*' | '/' | '%'; a: Expr; b: Expr }
  | { k: 'fn'; name: string; args: Expr[] };

const FUNCS: Record<string, (...a: number[]) => number> = {
  min: Math.min,
  max: Math.max,
  floor: Math.floor,
  ceil: Math.ceil,
  round: Math.round,
  sqrt: Math.sqrt,
};

/** Parses `text`; returns an error message instead of throwing. */
export function parseExpr(text: string): { expr?: Expr; error?: string } {
  const toks = text.match(/\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+|[-+*/%(),]|\S)/g) ?? [];
  const t = toks.map((s) => s.trim());
  let i = 0;
  const fail = (msg: string): never => {
    throw new ExprError(msg);
  };
  const peek = (): string | undefined => t[i];
  const primary = (): Expr => {
    const s = t[i++];
    if (s === undefined) return fail('unexpected end of expression');
    if (s === '(') {
      const e = sum();
      if (t[i++] !== ')') fail("missing ')'");
      return e;
    }
    if (s === '-') return { k: 'neg', e: primary() };
    if (s === '+') return primary();
    if (/^[\d.]/.test(s)) return { k: 'num', v: Number(s) };
    if (/^[A-Za-z_]/.test(s)) {
      if (peek() === '(') {
        if (!(s in FUNCS)) fail(`unknown function '${s}'`);
        i++;
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
    throw err;
  }
}

class ExprError extends Error {}

/** Identifiers an expression refers to. */
export function exprIdents(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.k) {
    case 'id':
      out.add(e.name);
      break;
    case 'neg':
      exprIdents(e.e, out);
      break;
    case 'bin':
      exprIdents(e.a, out);
      exprIdents(e.b, out);
      break;
    case 'fn':
      for (const a of e.args) exprIdents(a, out);
      break;
    case 'num':
      break;
  }
  return out;
}

/** Evaluates with `params`; unknown identifiers evaluate to NaN (validation reports them first). */
export function evalExpr(e: Expr, params: Readonly<Record<string, number>>): number {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'id':
      return Object.prototype.hasOwnProperty.call(params, e.name) ? params[e.name] : NaN;
    case 'neg':
      return -evalExpr(e.e, params);
    case 'bin':
      return applyBin(e.op, evalExpr(e.a, params), evalExpr(e.b, params));
    case 'fn':
      return FUNCS[e.name](...e.args.map((a) => evalExpr(a, params)));
  }
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
