/** What one simulation run reports (`simulate`'s output). */

export interface LockStats {
  id: string;
  acquisitions: number;
  /** Total µs threads spent queued for this lock. */
  waitUs: number;
  maxQueue: number;
  trylockFailures: number;
  /** RCU: grace periods completed (synchronizeRcu + callRcu callbacks). */
  gracePeriods: number;
}

export interface RunResult {
  /** Completion time of the measured roles, µs (NaN when the run did not complete). */
  makespanUs: number;
  roleFinishUs: Record<string, number>;
  locks: LockStats[];
  events: number;
  /** Set when the run stopped early: deadlock or event budget. */
  error?: { code: 'sim-deadlock' | 'sim-budget'; message: string };
  /** Optional trace of grants, for tests: [time, thread, lock id, mode]. */
  trace?: [number, number, string, 'read' | 'write'][];
}
