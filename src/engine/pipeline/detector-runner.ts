/**
 * Runs the rules of `detectors/registry.ts` so that one failing rule costs its findings only:
 * its error becomes a problem and the rule is skipped for the rest of the run.
 */
import type { Finding, Problem } from '../model';
import { DETECTORS } from '../detectors/registry';

/** The per-function findings list of a function without findings (every detector null). */
export const NO_FINDINGS: readonly null[] = Object.freeze(DETECTORS.map(() => null));

export class DetectorRunner {
  /** Indices of the rules with a per-function part, and of the whole-graph ones. */
  readonly perFnIdx: number[] = [];
  readonly globalIdx: number[] = [];
  private readonly failed = new Set<number>();

  constructor(private readonly problems: Problem[]) {
    DETECTORS.forEach((d, i) => (d.perFn ? this.perFnIdx : this.globalIdx).push(i));
  }

  /** `fn()` for rule `i`, or `[]` once the rule has failed. */
  run(i: number, fn: () => Finding[]): Finding[] {
    if (this.failed.has(i)) return [];
    try {
      return fn();
    } catch (err) {
      this.failed.add(i);
      this.problems.push({ severity: 'error', code: 'detector-error', message: `Detector ${DETECTORS[i]!.rule} failed: ${err instanceof Error ? err.message : String(err)}` });
      return [];
    }
  }
}
