/**
 * What a patch does to locking judged from its hunks alone, for when no base tree is at hand
 * (patch-only mode, clearly partial): lock/RCU API calls added and removed, functions touched,
 * lock annotations and `__rcu` declarations added and removed. Name-based, no parsing.
 */
import type { PatchSource } from './types';
import { LOCK_ANNOTATION_NAMES, RCU_POINTER_QUALIFIER, RCU_POINTER_TYPE_MACRO } from '../catalog/annotations';
import { isLockApiName } from '../catalog/lock-api';

export interface CallCount {
  name: string;
  /** The call as written, arguments included and whitespace collapsed: `mutex_lock(&table->mutex)`. */
  call: string;
  added: number;
  removed: number;
}

export interface HunkLineRef {
  file: string;
  /** Line in the new file for added lines, in the old file for removed lines. */
  line: number;
  text: string;
}

export interface HunkFacts {
  files: string[];
  functions: string[];
  calls: CallCount[];
  annotationsAdded: HunkLineRef[];
  annotationsRemoved: HunkLineRef[];
  rcuPointersAdded: HunkLineRef[];
  rcuPointersRemoved: HunkLineRef[];
}

// Names come from the catalog: its lock/RCU rows and families, its annotation macros.
const ANNOTATION = new RegExp(`\\b(?:${LOCK_ANNOTATION_NAMES.join('|')})\\b`);
const RCU_DECL = new RegExp(`\\b${RCU_POINTER_QUALIFIER}\\b|\\b${RCU_POINTER_TYPE_MACRO}\\s*\\(`);
const CALL = /\b([A-Za-z_]\w*)\s*\(/g;
const FUNC_DEF = /^(?:[A-Za-z_][\w\s\*]*?[\s\*])?([A-Za-z_]\w*)\s*\([^;]*$/;
const PROTOTYPE = /^(?:[A-Za-z_][\w\s\*]*?[\s\*])([A-Za-z_]\w*)\s*\(.*\)\s*;\s*$/;
const NOT_FUNCS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'defined']);

const isCode = (path: string) => /\.(?:c|h|cc|cpp|inc)$/.test(path);
const stripComment = (s: string) => s.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '');

export function scanHunks(patch: Pick<PatchSource, 'files'>): HunkFacts {
  const files: string[] = [];
  const functions = new Set<string>();
  const calls = new Map<string, CallCount>();
  const facts: HunkFacts = { files, functions: [], calls: [], annotationsAdded: [], annotationsRemoved: [], rcuPointersAdded: [], rcuPointersRemoved: [] };
  for (const fp of patch.files) {
    const file = fp.newPath ?? fp.oldPath ?? '?';
    files.push(file);
    if (!isCode(file)) continue;
    for (const h of fp.hunks) {
      // The function a line belongs to: git's hunk header, then any definition seen in the hunk.
      // In a header, a hunk header cut after a comma is most likely a wrapped prototype.
      const sec = /;\s*$/.test(h.section) || (/\.h$/.test(file) && /,\s*$/.test(h.section)) ? null : FUNC_DEF.exec(h.section);
      let current = sec && !NOT_FUNCS.has(sec[1]) ? sec[1] : null;
      let oldLine = h.oldStart;
      let newLine = h.newStart;
      h.lines.forEach((l, idx) => {
        const text = stripComment(l.text);
        const def = /^[A-Za-z_]/.test(l.text) && !/^\s*#/.test(text) ? FUNC_DEF.exec(text) : null;
        const defName = def && !NOT_FUNCS.has(def[1]) && !isPrototype(h.lines, idx) ? def[1] : null;
        if (defName) current = defName;
        else if (/^[}]/.test(l.text) && l.op === ' ') current = null;
        if (l.op !== ' ') {
          if (current && l.text.trim() !== '') functions.add(current);
          const ref: HunkLineRef = { file, line: l.op === '+' ? newLine : oldLine, text: l.text.trim() };
          const macro = /^\s*#\s*define\s+([A-Za-z_]\w*)/.exec(text);
          const proto = /^[A-Za-z_]/.test(l.text) ? PROTOTYPE.exec(text) : null;
          for (const m of text.matchAll(CALL)) {
            // Declarations and macro definitions name the primitive; they do not call it.
            if (!isLockApiName(m[1]) || m[1] === defName || m[1] === macro?.[1] || m[1] === proto?.[1]) continue;
            const call = callText(text, m.index! + m[0].length - 1, m[1]);
            const c = calls.get(call) ?? { name: m[1], call, added: 0, removed: 0 };
            if (l.op === '+') c.added++;
            else c.removed++;
            calls.set(call, c);
          }
          if (ANNOTATION.test(text)) (l.op === '+' ? facts.annotationsAdded : facts.annotationsRemoved).push(ref);
          if (RCU_DECL.test(text)) (l.op === '+' ? facts.rcuPointersAdded : facts.rcuPointersRemoved).push(ref);
        }
        if (l.op !== '+') oldLine++;
        if (l.op !== '-') newLine++;
      });
    }
  }
  facts.functions = [...functions].sort();
  // A call that is only moved (same text removed and added) is not a locking change.
  facts.calls = [...calls.values()].filter((c) => c.added !== c.removed).sort((a, b) => a.call.localeCompare(b.call));
  return facts;
}

/** A signature spread over lines is a prototype when it ends with `;` before any `{`. */
function isPrototype(lines: readonly { op: string; text: string }[], from: number): boolean {
  for (let k = from; k < Math.min(lines.length, from + 8); k++) {
    const t = stripComment(lines[k].text).trim();
    if (t.endsWith(';')) return true;
    if (t.endsWith('{') || t === '{') return false;
  }
  return false;
}

/** `name(args)` from the opening parenthesis, balanced; cut at the line end if unbalanced. */
function callText(line: string, open: number, name: string): string {
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    if (line[i] === '(') depth++;
    else if (line[i] === ')' && --depth === 0) return (name + line.slice(open, i + 1)).replace(/\s+/g, ' ');
  }
  return (name + line.slice(open)).replace(/\s+/g, ' ').trim() + '…';
}
