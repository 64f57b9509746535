/**
 * Per-file time budget shared by every phase of extraction (masking, parse, tree copy, IR), so
 * `timeoutMs` bounds the whole per-file cost, not only the tree-sitter parse.
 */

export class BudgetExceeded extends Error {
  constructor(readonly phase: string) {
    super(`time budget exceeded during ${phase}`);
    this.name = 'BudgetExceeded';
  }
}

/** Absolute `performance.now()` deadline; Infinity = no budget. */
export type Deadline = number;

export function checkDeadline(deadline: Deadline, phase: string): void {
  if (deadline !== Infinity && performance.now() > deadline) throw new BudgetExceeded(phase);
}
