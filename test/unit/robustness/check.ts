/**
 * Invariants every FileFacts / AnalysisResult must satisfy whatever the input was. Returned as
 * a list of violations (not thrown) so a property can print all of them for one counterexample.
 */
import type { FileFacts, Stmt } from '../../../src/engine/ir';
import type { AnalysisResult } from '../../../src/engine/model';

const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);

export function factsViolations(f: FileFacts, file: string, text: string): string[] {
  const v: string[] = [];
  if (f.file !== file) v.push(`file is ${JSON.stringify(f.file)}, expected ${JSON.stringify(file)}`);
  for (const k of ['bytes', 'lines', 'errorNodes', 'errorNodesUnmasked', 'parseMs', 'extractMs'] as const) {
    if (!finite(f[k])) v.push(`${k} is not a finite number: ${f[k]}`);
  }
  if (f.bytes !== Buffer.byteLength(text, 'utf8')) v.push(`bytes ${f.bytes} != utf8 length ${Buffer.byteLength(text, 'utf8')}`);
  for (const k of ['functions', 'prototypes', 'structs', 'typedefs', 'globals', 'macros', 'unmodeled', 'problems'] as const) {
    if (!Array.isArray(f[k])) v.push(`${k} is not an array`);
  }
  // Line numbers refer to the original text: 1-based and inside it (+1: a final line without '\n').
  const maxLine = Math.max(1, f.lines + 1);
  const checkLine = (what: string, line: unknown): void => {
    if (!finite(line) || (line as number) < 1 || (line as number) > maxLine) v.push(`${what}: line ${line} outside 1..${maxLine}`);
  };
  for (const fn of f.functions ?? []) {
    checkLine(`function ${fn.name}`, fn.line);
    checkLine(`function ${fn.name} end`, fn.endLine);
    if (fn.endLine < fn.line) v.push(`function ${fn.name}: endLine ${fn.endLine} < line ${fn.line}`);
    if (typeof fn.name !== 'string' || fn.name === '') v.push(`function at ${fn.line} has no name`);
    stmtLines(fn.body, (l) => checkLine(`statement in ${fn.name}`, l));
  }
  for (const p of f.problems ?? []) {
    if (typeof p.message !== 'string' || p.message.trim() === '') v.push(`problem ${p.code} has no message`);
    if (p.line !== undefined) checkLine(`problem ${p.code}`, p.line);
  }
  for (const u of f.unmodeled ?? []) checkLine(`unmodeled ${u.name}`, u.line);
  return v;
}

function stmtLines(s: Stmt, on: (line: number) => void): void {
  const stack: Stmt[] = [s];
  while (stack.length) {
    const x = stack.pop()!;
    if ('line' in x) on(x.line);
    switch (x.k) {
      case 'block':
        stack.push(...x.body);
        break;
      case 'if':
        stack.push(x.then);
        if (x.else) stack.push(x.else);
        break;
      case 'while':
      case 'do':
      case 'switch':
        stack.push(x.body);
        break;
      case 'for':
        if (x.init) stack.push(x.init);
        stack.push(x.body);
        break;
      case 'alt':
        stack.push(...x.arms);
        break;
      case 'scoped_guard':
        if (x.fail) stack.push(x.fail);
        stack.push(x.body);
        break;
      default:
        break;
    }
  }
}

/** Problems that mean "the engine hit an internal error" rather than "the input is bad". */
export const INTERNAL_CODES = new Set(['extract-failed', 'internal-error']);

export function internalProblems(problems: readonly { code: string; message: string }[]): string[] {
  return problems.filter((p) => INTERNAL_CODES.has(p.code)).map((p) => `${p.code}: ${p.message}`);
}

/** The result with wall-clock fields removed, for deep equality across runs. */
export function untimedResult(r: AnalysisResult): unknown {
  const copy = JSON.parse(JSON.stringify(r)) as AnalysisResult;
  if (copy.stats) copy.stats.timings = {};
  return copy;
}
