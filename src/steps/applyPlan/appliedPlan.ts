// What applying a plan did, counted by kind.
export interface AppliedPlan {
  readonly registered: number;
  readonly adopted: number;
  readonly skipped: number;
  readonly resumed: number;
  /** Rows that recorded what Graph or the source now say (OS status, policies, warnings). */
  readonly observed: number;
  /** Registrations recorded retired (their device image was deleted outside the app) and stale skipped rows dropped. */
  readonly retired: number;
  /** Actions another instance got to first (its write landed; it carries on). */
  readonly superseded: number;
}

export const NOTHING_APPLIED: AppliedPlan = Object.freeze({
  registered: 0,
  adopted: 0,
  skipped: 0,
  resumed: 0,
  observed: 0,
  retired: 0,
  superseded: 0,
});
