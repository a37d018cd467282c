// The queue messages (contract: contract/messages.schema.json).
import type { SourceKind } from './sourceImages';

export type RegisterTrigger = 'reconcile' | 'event' | 'manual';

/**
 * A job sent again after a transient failure (throttling, 5xx, resets, an outage) outlived the
 * in-process retries: how often, since when, and the last error. Not in the contract's required
 * fields (its schema allows added ones); absent on a first delivery.
 */
export interface TransientRetry {
  readonly attempt: number;
  /** When the first transient failure of this job happened (ISO-8601). */
  readonly since: string;
  readonly lastError: string;
}

/** The `image-register` queue message (contract: contract/messages.schema.json, the repository's copy of the shared contract). */
export interface RegisterJob {
  readonly v: 1;
  readonly sourceImageResourceId: string;
  readonly displayName: string;
  readonly version: string;
  readonly operatingSystem?: string;
  readonly osBuildNumber?: string;
  readonly trigger: RegisterTrigger;
  readonly enqueuedAt: string;
  readonly retry?: TransientRetry;
  /** The source's content fingerprint the job was planned from (DESIGN §15); absent when ARM showed none. */
  readonly fingerprint?: string;
  /** Sent by `image-sync register` unplanned (its caller may hold only enqueue rights): the function app plans it before posting. */
  readonly requested?: true;
  /**
   * A request of `image-sync register`, and the job planned from it: true when the caller gave
   * `--version`, which then stands for the source's tags up to the POST (DESIGN §15); false when
   * the version was read from the tags or the name, so a source rebuilt as another version since
   * supersedes it. Absent on requests of earlier releases, which are taken as the caller's.
   */
  readonly versionFromCaller?: boolean;
  /** The contract's sourceKind: set for a gallery image version's job (DESIGN §17). */
  readonly sourceKind?: SourceKind;
}

/** The `image-status` queue message. */
export interface StatusCheck {
  readonly v: 1;
  readonly sourceImageResourceId: string;
  readonly deviceImageId: string;
  readonly check: number;
  readonly since: string;
  readonly retryUploads: number;
  /** The registration's version (added by this release; absent from checks the previous release queued). */
  readonly version?: string;
  readonly retry?: TransientRetry;
}
