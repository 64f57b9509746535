/**
 * A stand-in analyser for orchestration tests: each "source" file declares its facts in lines
 * like `EDGE a b`, `LOCK a`, `FIND rule fingerprint fn`, `ENTRY fn held|- acquires`, `SITE op fn text`,
 * `RCU struct field`. It lets the series pipeline be tested without the real analysis.
 */
import type { FileFacts } from '../../../src/engine/ir';
import type { AnalysisResult, Finding, LockClass, LockEdge, SiteOp } from '../../../src/engine/model';
import type { SeriesAnalyzer } from '../../../src/engine/series/analyze-series';

export function fakeFacts(file: string, text: string): FileFacts {
  const structs = [...text.matchAll(/^RCU (\S+) (\S+)$/gm)].map((m) => ({ name: m[1], line: 1, fields: [{ name: m[2], line: 1, type: { base: 'struct x', struct: 'x', ptr: 1, rcu: true } }] }));
  return {
    file,
    hash: String(text.length),
    bytes: text.length,
    lines: text.split('\n').length,
    functions: [],
    prototypes: [],
    structs,
    typedefs: [],
    globals: [],
    macros: [{ name: '__TEXT__', params: null, body: text, line: 1 }],
    errorNodes: 0,
    errorNodesUnmasked: 0,
    unmodeled: [],
    problems: [],
    parseMs: 0,
    extractMs: 0,
  };
}

const lock = (id: string, contended = false): LockClass => ({ id, kind: 'global', name: id, struct: null, lockType: 'mutex', sites: 1, contended });

export function fakeAnalyze(facts: FileFacts[]): AnalysisResult {
  const r: AnalysisResult = {
    version: 1,
    files: facts.length,
    functions: [],
    locks: [],
    edges: [],
    findings: [],
    sites: [],
    problems: [],
    stats: { files: facts.length, bytes: 0, functions: 0, unmodeledFunctions: 0, filesWithErrorNodes: 0, callSites: 0, indirectCallsResolved: 0, timings: {} },
  };
  const locks = new Map<string, LockClass>();
  for (const f of facts) {
    const text = f.macros[0]?.body ?? '';
    text.split('\n').forEach((l, i) => {
      const w = l.trim().split(/\s+/);
      const line = i + 1;
      if (w[0] === 'LOCK') locks.set(w[1], lock(w[1], w[2] === 'contended'));
      if (w[0] === 'EDGE') {
        const e: LockEdge = { from: w[1], to: w[2], witnesses: [[{ file: f.file, line, function: w[3] ?? 'fn', note: 'acquires ' + w[2] }]], count: 1, trylock: w[4] === 'try' };
        r.edges.push(e);
      }
      if (w[0] === 'FIND') {
        const fd: Finding = { rule: w[1] as Finding['rule'], severity: (w[4] as Finding['severity']) ?? 'warning', message: `${w[1]} in ${w[3]}`, file: f.file, line, function: w[3], locks: [], witness: [], fingerprint: w[2] };
        r.findings.push(fd);
      }
      if (w[0] === 'ENTRY') {
        const held = w[2] && w[2] !== '-' ? w[2].split(',') : [];
        r.functions.push({ name: w[1], file: f.file, line, endLine: line, callers: 0, entry: { must: held, may: held }, acquires: (w[3] ?? '').split(',').filter(Boolean), returnsHolding: [], releasesUnheld: [], requires: [], maySleep: false, partial: false });
      }
      if (w[0] === 'SITE') {
        r.sites.push({ file: f.file, line, col: 0, function: w[2], op: w[1] as SiteOp, locks: w[1] === 'acquire' ? [w[3]] : [], heldAfter: { must: [], may: [] }, text: w.slice(3).join(' ') });
      }
    });
  }
  r.locks = [...locks.values()];
  return r;
}

export function fakeAnalyzer(): SeriesAnalyzer & { extracted: string[]; analyses: number } {
  const extracted: string[] = [];
  const a = {
    extracted,
    analyses: 0,
    extract(file: string, text: string) {
      extracted.push(file);
      return fakeFacts(file, text);
    },
    analyze(facts: FileFacts[]) {
      a.analyses++;
      return fakeAnalyze(facts);
    },
    isSource: (p: string) => p.endsWith('.c') || p.endsWith('.h'),
  };
  return a;
}
