// The ledger: one row per registration (source image at a version) and the recorded problems.
import type { LedgerEntry, LedgerRow, Problem } from '../domain';

/** Fields a transition may change; the ledger stamps updatedAt itself. */
export type ImageState = Pick<LedgerRow, 'sourceImageResourceId' | 'state'>;

/** A row as written the first time: createdAt and updatedAt are stamped by the ledger. */
export type NewLedgerEntry = Omit<LedgerEntry, 'createdAt' | 'updatedAt'>;

/** The source and version are the row's key: a change never moves a row to another registration. */
export type LedgerChange = Partial<Omit<LedgerEntry, 'sourceImageResourceId' | 'version' | 'createdAt' | 'updatedAt'>>;

/** A problem as the ledger keeps it: one row per open kind + subject, however often it recurs. */
export interface RecordedProblem extends Problem {
  /** How many times it was recorded; `at` is the last time, firstSeenAt the first. */
  readonly count: number;
  readonly firstSeenAt: string;
}

/** Which row: a source image at a version (null: the row of a source with no usable version). */
export interface RegistrationRef {
  readonly sourceImageResourceId: string;
  readonly version: string | null;
}

export interface Ledger {
  /**
   * The registration's row, or null. A row an earlier release wrote (one per source image) is
   * carried over to its registration's key the first time it is read this way.
   */
  get(ref: RegistrationRef): Promise<LedgerRow | null>;
  /**
   * The row as this process last wrote or read it, without a read; undefined when it has none.
   * Another instance may have written since: a remembered row is good for an ETag-guarded write
   * (from a stale one it fails with LedgerConflictError), and a decision to do nothing is taken
   * on a get().
   */
  remembered(ref: RegistrationRef): LedgerRow | undefined;
  /** Every image row, all pages, ordered by sourceImageResourceId (case-insensitively), then version. */
  list(): Promise<LedgerRow[]>;
  /**
   * Moves the listed rows an earlier release wrote (`legacy`: one per source image, keyed by the
   * source alone) to their registration's key, and returns the list as it is then. Nothing is
   * posted; safe with several instances at once.
   */
  carryOver(rows: readonly LedgerRow[]): Promise<LedgerRow[]>;
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
  /** ETag-guarded delete (a skipped row that no longer describes its source); throws LedgerConflictError when it changed. */
  remove(row: LedgerRow): Promise<void>;
  /** Records a problem; a problem with the same kind and subject as an open one is updated, not added (isNew false). */
  recordProblem(problem: Problem): Promise<{ readonly isNew: boolean }>;
  /** Every recorded problem, most recently seen first. */
  listProblems(): Promise<RecordedProblem[]>;
  /** Removes every recorded problem (an administrator acknowledged them); returns how many. */
  clearProblems(): Promise<number>;
}
