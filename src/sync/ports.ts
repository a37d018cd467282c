// What the handlers need from the outside world. Each port has one real implementation (src/arm,
// src/graph, src/state, src/queue, src/alerts); tests use the real ones against Azurite and the emulator.
import type { Config } from '../config';
import type {
  Clock,
  DeviceImage,
  DeviceImageRequest,
  LedgerEntry,
  LedgerRow,
  Problem,
  RegisterJob,
  SourceImage,
  StatusCheck,
} from '../domain';
import type { Logger } from '../log';

export interface SubscriptionListing {
  readonly images: readonly SourceImage[];
  /** Subscriptions that answered 401/403/404: permanent, recorded as problems. */
  readonly unreadable: readonly { readonly subscriptionId: string; readonly detail: string }[];
  /** Subscriptions that failed transiently after the retries: tried again next reconcile, not a problem. */
  readonly unavailable: readonly { readonly subscriptionId: string; readonly detail: string }[];
}

export interface SourceImageReader {
  /** Every managed image in the configured subscriptions (and resource groups), all pages. */
  listAll(): Promise<SubscriptionListing>;
  /** One image by id; null when it does not exist (404). */
  get(sourceImageResourceId: string): Promise<SourceImage | null>;
}

export interface DeviceImageApi {
  /** Every device image in the tenant, all pages. */
  list(): Promise<DeviceImage[]>;
  /** null when Graph answers 404. */
  get(deviceImageId: string): Promise<DeviceImage | null>;
  /** Sent once (no middleware retry). Throws AmbiguousOutcomeError when it may have been created. */
  create(request: DeviceImageRequest): Promise<DeviceImage>;
  /** beta `retryUpload`. */
  retryUpload(deviceImageId: string): Promise<void>;
}

export interface JobQueues {
  sendRegisterJob(job: RegisterJob, delaySeconds?: number): Promise<void>;
  sendStatusCheck(check: StatusCheck, delaySeconds: number): Promise<void>;
}

/** Fields a transition may change; the ledger stamps updatedAt itself. */
export type ImageState = Pick<LedgerRow, 'sourceImageResourceId' | 'state'>;

/** A row as written the first time: createdAt and updatedAt are stamped by the ledger. */
export type NewLedgerEntry = Omit<LedgerEntry, 'createdAt' | 'updatedAt'>;

export type LedgerChange = Partial<Omit<LedgerEntry, 'sourceImageResourceId' | 'createdAt' | 'updatedAt'>>;

/** A problem as the ledger keeps it: one row per open kind + subject, however often it recurs. */
export interface RecordedProblem extends Problem {
  /** How many times it was recorded; `at` is the last time, firstSeenAt the first. */
  readonly count: number;
  readonly firstSeenAt: string;
}

export interface Ledger {
  get(sourceImageResourceId: string): Promise<LedgerRow | null>;
  /**
   * The row as this process last wrote or read it, without a read; undefined when it has none.
   * Another instance may have written since: a remembered row is good for an ETag-guarded write
   * (from a stale one it fails with LedgerConflictError), and a decision to do nothing is taken
   * on a get().
   */
  remembered(sourceImageResourceId: string): LedgerRow | undefined;
  /** Every image row, all pages, ordered by sourceImageResourceId (case-insensitively). */
  list(): Promise<LedgerRow[]>;
  /** Every image's id and state only: a fraction of list()'s data, for watching progress. */
  listStates(): Promise<ImageState[]>;
  /** Inserts a new row; throws LedgerConflictError if one exists already. */
  insert(entry: NewLedgerEntry, now: Date): Promise<LedgerRow>;
  /**
   * Inserts many new rows in as few requests as storage allows (entity-group transactions of up to
   * 100 rows). Returns each entry's row, or null where a row existed already; the order is the entries'.
   */
  insertMany(entries: readonly NewLedgerEntry[], now: Date): Promise<(LedgerRow | null)[]>;
  /** ETag-guarded update; throws LedgerConflictError when the row changed (or was removed) since it was read. */
  update(row: LedgerRow, change: LedgerChange, now: Date): Promise<LedgerRow>;
  /** Records a problem; a problem with the same kind and subject as an open one is updated, not added (isNew false). */
  recordProblem(problem: Problem): Promise<{ readonly isNew: boolean }>;
  /** Every recorded problem, most recently seen first. */
  listProblems(): Promise<RecordedProblem[]>;
  /** Removes every recorded problem (an administrator acknowledged them); returns how many. */
  clearProblems(): Promise<number>;
}

export interface FailureAlert {
  readonly sourceImageResourceId: string | null;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly errorCode: string;
  readonly detail: string;
}

export interface Alerter {
  /** Logs `ImageSyncFailure` at error level and POSTs the webhook when configured. Never throws. */
  raise(alert: FailureAlert): Promise<void>;
}

export interface SyncDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly log: Logger;
  readonly sourceImages: SourceImageReader;
  readonly deviceImages: DeviceImageApi;
  readonly ledger: Ledger;
  readonly queues: JobQueues;
  readonly alerts: Alerter;
}
