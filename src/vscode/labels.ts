/**
 * The words LockLens puts in the editor: after-line held sets, CodeLens titles, hover text.
 * Pure string building (no vscode import) so wording is unit-tested and identical everywhere.
 */
import type { FunctionFacts, LockEdge, LockSet, LockSite, WitnessStep } from '../engine/model';
import type { DecorationStyle } from './ids';
import type { ResultIndex } from './result-index';

/** `a → b`, with may-only locks marked `b?` (held on some paths only). */
export function formatHeld(set: LockSet): string {
  const must = new Set(set.must);
  const parts = [...set.must, ...set.may.filter((l) => !must.has(l)).map((l) => `${l}?`)];
  return parts.join(' → ');
}

/**
 * Held set after a site, with the site's own lock included for acquisitions (held on all
 * paths) and trylocks (held on some). The union is a no-op when the engine already has it.
 */
export function heldAfterSite(site: LockSite): LockSet {
  const add = (xs: string[], extra: string[]) => [...xs, ...extra.filter((l) => !xs.includes(l))];
  if (site.op === 'acquire' || site.op === 'guard' || site.op === 'rcu-read-lock') {
    return { must: add(site.heldAfter.must, site.locks), may: add(site.heldAfter.may, site.locks) };
  }
  if (site.op === 'trylock') return { must: site.heldAfter.must, may: add(site.heldAfter.may, site.locks) };
  return site.heldAfter;
}

/** After-line text for an acquisition site, or null when there is nothing worth showing. */
export function siteDecorationText(site: LockSite, style: DecorationStyle): string | null {
  if (style === 'acquired') return site.locks.length ? `takes ${site.locks.join(', ')}` : null;
  const held = formatHeld(heldAfterSite(site));
  if (!held) return null;
  return style === 'compact' ? held : `held: ${held}`;
}

/** Several sites on one line (e.g. `spin_lock(a); spin_lock(b);`): the last held set wins. */
export function lineDecorationText(sites: readonly LockSite[], style: DecorationStyle): string | null {
  const sorted = [...sites].sort((a, b) => a.col - b.col);
  if (style === 'acquired') {
    const locks = [...new Set(sorted.flatMap((s) => s.locks))];
    return locks.length ? `takes ${locks.join(', ')}` : null;
  }
  return siteDecorationText(sorted[sorted.length - 1], style);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * `entered with rtnl_mutex held on 3/3 call paths`; null when the entry context is empty.
 * A lock in the must-set is held at every call site found (callers counts them).
 */
export function entryContextText(fn: FunctionFacts): string | null {
  if (fn.entry.must.length) {
    const paths = fn.callers > 0 ? ` on ${fn.callers}/${fn.callers} call paths` : '';
    return `entered with ${fn.entry.must.join(', ')} held${paths}`;
  }
  if (fn.entry.may.length) return `entered with ${fn.entry.may.join(', ')} held on some call paths`;
  return null;
}

/** The CodeLens title above a function, or null when it has no lock facts and no findings. */
export function functionLensTitle(fn: FunctionFacts, findings: number): string | null {
  const parts: string[] = [];
  const entry = entryContextText(fn);
  if (entry) parts.push(entry);
  if (fn.acquires.length) parts.push(`acquires ${fn.acquires.join(', ')}`);
  if (fn.requires.length && !fn.entry.must.length) parts.push(`requires ${fn.requires.join(', ')}`);
  if (fn.returnsHolding.length) parts.push(`returns holding ${fn.returnsHolding.join(', ')}`);
  if (findings) parts.push(plural(findings, 'finding'));
  return parts.length ? parts.join(' · ') : null;
}

export function stepLabel(s: WitnessStep): string {
  return `${s.function} (${s.file}:${s.line})${s.note ? ` — ${s.note}` : ''}`;
}

/** Builds a markdown `command:` link; supplied by the caller so this module stays pure. */
export type CommandLink = (title: string, command: string, args: unknown[]) => string;

function mdEscape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

function edgeLine(e: LockEdge, link: CommandLink, witnessCommand: string): string {
  const paths = e.count > 1 ? ` (${e.count} paths)` : '';
  const tl = e.trylock ? ' (trylock)' : '';
  const chain = e.witnesses[0] ?? [];
  const steps = chain
    .map((s) => link(`${mdEscape(s.function)}:${s.line}`, witnessCommand, [{ title: `${e.from} → ${e.to}`, steps: chain, focus: s }]))
    .join(' → ');
  return `- \`${e.from} → ${e.to}\`${tl}${paths}${steps ? `: ${steps}` : ''}`;
}

/**
 * Hover for a lock class: what it is, where else it is taken, and its nesting edges in and
 * out, each witness step a link. Lists are capped: a hover must stay readable on RTNL.
 */
export function lockHoverMarkdown(
  index: ResultIndex,
  lockId: string,
  link: CommandLink,
  commands: { reveal: string; witness: string },
  cap = 5,
): string | null {
  const lock = index.locks.get(lockId);
  if (!lock) return null;
  const lines: string[] = [];
  const traits = [lock.lockType, lock.kind === 'field' && lock.struct ? `field of struct ${lock.struct}` : lock.kind, lock.contended ? 'contended' : '']
    .filter(Boolean)
    .join(' · ');
  lines.push(`**LockLens** \`${lock.id}\` — ${traits}`);
  const sites = index.sitesOf(lockId).filter((s) => s.op === 'acquire' || s.op === 'trylock' || s.op === 'guard' || s.op === 'rcu-read-lock');
  lines.push('');
  lines.push(`Taken at ${plural(sites.length, 'site')}${sites.length > cap ? ` (first ${cap})` : ''}:`);
  for (const s of sites.slice(0, cap)) {
    lines.push(`- ${link(`${mdEscape(s.file)}:${s.line}`, commands.reveal, [{ file: s.file, line: s.line }])} in \`${s.function}\``);
  }
  const out = index.edgesOut(lockId);
  const inn = index.edgesIn(lockId);
  if (inn.length) {
    lines.push('', `Nests under (${inn.length}):`);
    for (const e of inn.slice(0, cap)) lines.push(edgeLine(e, link, commands.witness));
  }
  if (out.length) {
    lines.push('', `Taken inside it (${out.length}):`);
    for (const e of out.slice(0, cap)) lines.push(edgeLine(e, link, commands.witness));
  }
  if (!inn.length && !out.length) lines.push('', 'No nesting with other locks found.');
  return lines.join('\n');
}

/** Hover line for the site itself: the held set after the statement. */
export function siteHoverMarkdown(site: LockSite): string {
  const held = formatHeld(heldAfterSite(site));
  return `\`${site.text.split('\n')[0]}\` — ${site.op}; held after: ${held ? `\`${held}\`` : 'nothing'}`;
}
