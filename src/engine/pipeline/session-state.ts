/**
 * What a session keeps between runs: each phase's state, as that phase left it. The next run
 * patches it in place (the session drops it first, so a failed run cannot leave it half-updated).
 */
import type { FileFacts } from '../ir';
import type { LockLensConfig } from '../config';
import type { CallGraphState } from './call-graph';
import type { EntryState } from './entry-contexts';
import type { FileFactsState } from './file-facts';
import type { FindingsState } from './findings';
import type { LockGraphState } from './lock-graph';
import type { LockListState } from './lock-list';
import type { LockTypeState } from './lock-types';
import type { ProgramIndexState } from './program-index';
import type { SummaryState } from './summaries';

export interface AnalyzeOptions {
  config: LockLensConfig;
  noAnnotations?: boolean;
  lineFacts?: boolean;
  signal?: AbortSignal;
}

export interface SessionState {
  opts: AnalyzeOptions;
  files: Map<string, FileFacts>;
  index: ProgramIndexState;
  callGraph: CallGraphState;
  summaries: SummaryState;
  entries: EntryState;
  lockGraph: LockGraphState;
  lockTypes: LockTypeState;
  fileFacts: FileFactsState;
  findings: FindingsState;
  lockList: LockListState;
}

/** Handed to `analyzeFactsReusing`: the previous state in, the new one out. */
export interface ReuseSlot {
  prev: SessionState | null;
  next?: SessionState;
}
