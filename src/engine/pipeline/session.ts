/**
 * A long-lived global analysis over a changing set of files (editor edits, patches of a
 * series). It keeps the last run's global state (program index, bindings, call graph, SCC
 * summaries, entry contexts, per-function facts and findings, edge contributions) and, on
 * `update`, redoes only what the changed files reach: SCCs whose IR or callees' summaries
 * changed, entry contexts below changed call sites, the edge keys, files and functions affected
 * (see the phases under pipeline/). The result is identical to `analyzeFacts` over the same files (tested
 * differentially). When types, macros or function-pointer bindings change, the run starts from
 * scratch; changed declarations (signatures, globals, prototypes) re-analyse their users.
 */
import type { FileFacts } from '../ir';
import type { AnalysisResult } from '../model';
import { cmpStr } from '../analysis/util';
import { analyzeFactsReusing } from './analyze';
import type { AnalyzeOptions, ReuseSlot, SessionState } from './session-state';

export class AnalysisSession {
  private readonly files = new Map<string, FileFacts>();
  private state: SessionState | null = null;

  constructor(private readonly opts: AnalyzeOptions) {}

  /** Replaces the whole file set (unchanged files are recognised by object identity). */
  analyze(all: FileFacts[], signal?: AbortSignal): AnalysisResult {
    this.files.clear();
    for (const f of all) if (f && typeof f === 'object' && typeof f.file === 'string') this.files.set(f.file, f);
    return this.run(all, signal);
  }

  /** Applies changed (added or edited) files and removed paths, then re-analyses. */
  update(changedFacts: FileFacts[], removedFiles: string[], signal?: AbortSignal): AnalysisResult {
    for (const p of removedFiles) this.files.delete(p);
    for (const f of changedFacts) if (f && typeof f === 'object' && typeof f.file === 'string') this.files.set(f.file, f);
    const all = [...this.files.keys()].sort(cmpStr).map((k) => this.files.get(k)!);
    return this.run(all, signal);
  }

  /** Drops the kept state (the next run starts from scratch). */
  reset(): void {
    this.state = null;
  }

  private run(all: FileFacts[], signal?: AbortSignal): AnalysisResult {
    const slot: ReuseSlot = { prev: this.state };
    // The run patches the kept state in place: drop it first so a failure cannot leave it half-updated.
    this.state = null;
    const result = analyzeFactsReusing(all, signal ? { ...this.opts, signal } : this.opts, slot);
    // A cancelled or failed run leaves no state: the next one starts from scratch.
    this.state = slot.next ?? null;
    return result;
  }
}
