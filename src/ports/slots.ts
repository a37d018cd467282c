// The tenant's custom-image slots: the reservations planners share, and the last count for the report.

/** The tenant's custom-image slots as the last reconcile counted them, for `image-sync report` (DESIGN §16). */
export interface TenantSlotCount {
  /** Device images Graph listed plus creates in flight. */
  readonly inUse: number;
  /** IMAGE_SYNC_TENANT_IMAGE_LIMIT then. */
  readonly limit: number;
  /** IMAGE_SYNC_KEEP_VERSIONS then. */
  readonly keepVersions: number;
  readonly at: string;
}

export interface TenantSlotCounts {
  /** Replaces the last count (best effort: a failure is the caller's to log). */
  record(count: TenantSlotCount): Promise<void>;
  /** The last count; null before the first reconcile (read-only: a missing table reads as null). */
  latest(): Promise<TenantSlotCount | null>;
}

/**
 * The tenant's custom-image slots (DESIGN §13): creates in flight are reserved in the storage
 * account, so planners in several instances never queue past the limit together.
 */
export interface ImageSlots {
  /**
   * Reserves a slot for each wanted registration key (in order) while the tenant's images (by
   * registration key, from a Graph listing) and the open reservations leave room under `limit`.
   * A key reserved already keeps its slot. Returns the keys that have a slot. `imagesInTenant`: how
   * many device images the listing holds (default: one per key); each counts against the limit.
   */
  reserve(
    wanted: readonly string[],
    inTenant: ReadonlySet<string>,
    limit: number,
    now: Date,
    imagesInTenant?: number,
  ): Promise<Set<string>>;
  /** Gives a slot back (the registration ended without a device image). */
  release(key: string): Promise<void>;
  /** The open reservations at `now`, as `slotName`s of their keys (read-only: never creates the table). */
  reserved(now: Date): Promise<Set<string>>;
}
