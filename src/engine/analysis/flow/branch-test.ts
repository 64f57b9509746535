/**
 * What a branch condition tests, decoded once per CFG node: a call (`if (mutex_trylock(l))`), an
 * assigned call (`if ((r = try(l)) == 0)`), or a variable (`if (!locked)`), with the sense of the
 * true edge and, for `r == NAME`, the named (enum) value compared against.
 */
import type { Expr } from '../../ir';
import { stripCond } from '../expr';
import type { Pending } from './state';

type CallExpr = Expr & { k: 'call' };

export type Sense = 'truthy' | 'falsy' | 'neg' | 'nonneg';

export interface BranchTest {
  sense: Sense;
  /** `result == NAME` / `result != NAME` against a named (enum) value. */
  named: { value: string; eq: boolean } | null;
  testedCall: CallExpr | null;
  assignVar: string | null;
  testedVar: string | null;
}

const ZERO_NUM = /^(0[uUlL]*|false)$/;
const ZERO_ID = /^(NULL|false)$/;
const NOT_A_NAME = /^(NULL|false|true)$/;

export function decodeBranchTest(atom: Expr, vars: ReadonlyMap<string, unknown> | ReadonlySet<string>): BranchTest {
  let x = stripCond(atom);
  let sense: Sense = 'truthy';
  let named: { value: string; eq: boolean } | null = null;
  const zero = (y: Expr): boolean => (y.k === 'num' && ZERO_NUM.test(y.text)) || (y.k === 'id' && ZERO_ID.test(y.name));
  const nameOf = (y: Expr): string | null => (y.k === 'id' && !NOT_A_NAME.test(y.name) && !vars.has(y.name) ? y.name : null);
  for (let i = 0; i < 4; i++) {
    if (x.k === 'binary' && (x.op === '==' || x.op === '!=')) {
      const nl = nameOf(x.left);
      const nr = nameOf(x.right);
      if (named === null && (nr || nl) && !(nr && nl)) {
        const value = (nr ?? nl)!;
        // `!(r == NAME)` flips once more below through `sense`.
        named = { value, eq: (x.op === '==') === (sense === 'truthy') };
        x = stripCond(nr ? x.left : x.right);
        sense = 'truthy';
        continue;
      }
      if (zero(x.right)) {
        if (x.op === '==') sense = sense === 'truthy' ? 'falsy' : 'truthy';
        x = stripCond(x.left);
        continue;
      }
      if (zero(x.left)) {
        if (x.op === '==') sense = sense === 'truthy' ? 'falsy' : 'truthy';
        x = stripCond(x.right);
        continue;
      }
    }
    if (x.k === 'binary' && x.op === '<' && x.right.k === 'num' && x.right.text === '0') {
      sense = 'neg';
      x = stripCond(x.left);
      continue;
    }
    if (x.k === 'binary' && x.op === '>=' && x.right.k === 'num' && x.right.text === '0') {
      sense = 'nonneg';
      x = stripCond(x.left);
      continue;
    }
    if (x.k === 'unary' && x.op === '!') {
      sense = sense === 'truthy' ? 'falsy' : sense === 'falsy' ? 'truthy' : sense;
      x = stripCond(x.arg);
      continue;
    }
    break;
  }
  let testedCall: CallExpr | null = null;
  let assignVar: string | null = null;
  let testedVar: string | null = null;
  if (x.k === 'call') testedCall = x;
  else if (x.k === 'assign' && x.op === '=' && x.left.k === 'id') {
    assignVar = x.left.name;
    const r = stripCond(x.right);
    if (r.k === 'call') testedCall = r;
  } else if (x.k === 'id') testedVar = x.name;
  return { sense, named, testedCall, assignVar, testedVar };
}

/**
 * Whether the lock of a pending trylock result is acquired on the true / false edge (null =
 * unknown). Success zero: acquired when the value == 0; nonzero: when it != 0.
 */
export function branchOutcome(p: Pending, sense: Sense, named: BranchTest['named']): { t: boolean | null; f: boolean | null } {
  if (named) {
    if (!p.successValue) return { t: null, f: null };
    // Equal to the success value: acquired; equal to another named value: not acquired.
    const hit = named.value === p.successValue;
    const onEq = hit ? true : false;
    const onNe = hit ? false : null;
    return named.eq ? { t: onEq, f: onNe } : { t: onNe, f: onEq };
  }
  if (p.successValue) return { t: null, f: null };
  const nz = p.success === 'nonzero';
  switch (sense) {
    case 'truthy':
      return { t: nz, f: !nz };
    case 'falsy':
      return { t: !nz, f: nz };
    case 'neg':
      return nz ? { t: null, f: null } : { t: false, f: true };
    case 'nonneg':
      return nz ? { t: null, f: null } : { t: true, f: false };
  }
}
