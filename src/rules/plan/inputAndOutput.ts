// What the planner reads and what it answers: its input, the actions it plans and the per-image
// summary the plan command prints.
import type { ImageScope } from '../../config';
import type {
  DeviceImage,
  DeviceImageOrigin,
  LedgerRow,
  LedgerState,
  ProvisioningPolicy,
  RegisterJob,
  RegisterTrigger,
  SkipReason,
  SourceImage,
} from '../../domain';
import type { ObserveAction } from '../observeRegistrations';

export interface PlanInput {
  readonly sourceImages: readonly SourceImage[];
  /** The tenant's whole list. */
  readonly deviceImages: readonly DeviceImage[];
  /** Every image row of the ledger. */
  readonly ledger: readonly LedgerRow[];
  /** With trigger 'manual' the caller passes `{ kind: 'all' }`: the caller chose the image. */
  readonly scope: ImageScope;
  readonly trigger: RegisterTrigger;
  readonly now: Date;
  /** How long a queued/creating row or an overdue status check may sit before its message counts as lost. */
  readonly staleAfterMs: number;
  /** The tenant's limit and the slots reserved for creates in flight (`slotName`s); null: no room check. */
  readonly capacity: { readonly limit: number; readonly reserved: ReadonlySet<string> } | null;
  /** `sourceImageKey`s that getSourceImages lists; null when it was not (or could not be) read. */
  readonly visibleToWindows365: ReadonlySet<string> | null;
  /** The tenant's provisioning policies; null when they were not (or could not be) read. */
  readonly policies: readonly ProvisioningPolicy[] | null;
  readonly expiryWarningDays: number;
  /**
   * IMAGE_SYNC_GALLERY_SOURCES=copy (DESIGN §17): the staging group and its region (null when it was
   * not read). A gallery version not replicated there is skipped `gallery-region`, and getSourceImages
   * is not asked about gallery versions (their copy does not exist before the job). Absent otherwise.
   */
  readonly galleryCopy?: { readonly stagingResourceGroup: string; readonly stagingRegion: string | null };
}

export interface SkipAction {
  readonly kind: 'skip';
  readonly sourceImage: SourceImage;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly reason: SkipReason;
  readonly fix: string;
}

export interface AdoptAction {
  readonly kind: 'adopt';
  readonly sourceImage: SourceImage;
  readonly deviceImage: DeviceImage;
  /** The device image's own displayName, and the registration's version. */
  readonly displayName: string;
  readonly version: string;
  /** The source's capture when the version adopted is its current one; else unknown. */
  readonly contentFingerprint: string | null;
  /** `created` only for a row still `creating` (its own POST's outcome unknown, or its worker died): DESIGN §15. */
  readonly origin: DeviceImageOrigin;
}

export interface ResumeStatusCheckAction {
  readonly kind: 'resumeStatusCheck';
  readonly row: LedgerRow;
}

/** Why an image is (re)registered; for logs and the plan command. */
export type RegisterCause = 'new' | 'now-eligible' | 'job-lost' | 'device-image-vanished' | 'manual-retry';

export interface RegisterAction {
  readonly kind: 'register';
  readonly sourceImage: SourceImage;
  readonly job: RegisterJob;
  readonly cause: RegisterCause;
  /** The registration holds no slot of the tenant's limit yet: one is reserved before the job is queued. */
  readonly needsSlot: boolean;
  /** No create was ever sent for this registration. */
  readonly firstCreate: boolean;
  /** What the source was captured from when this version was planned (null: unknown). */
  readonly contentFingerprint: string | null;
}

/** A skipped row of a source whose version has changed since: it describes nothing any more. */
export interface DropRowAction {
  readonly kind: 'dropRow';
  readonly row: LedgerRow;
}

/**
 * An earlier version's device image is absent from the listing (deleted outside the app). The listing
 * alone is no evidence (it is read at the same time as the ledger): applyPlan retires the row only
 * when a GET of the device image answers 404 (DESIGN §15).
 */
export interface RetireAction {
  readonly kind: 'retire';
  readonly row: LedgerRow;
  readonly reason: string;
}

export type PlanAction = SkipAction | AdoptAction | ResumeStatusCheckAction | RegisterAction | DropRowAction | RetireAction | ObserveAction;

export type PlanOutcome = 'skip' | 'adopt' | 'resumeStatusCheck' | 'register' | 'unchanged';

/** One in-scope source image (at its current version) and what the plan would do with it. */
export interface PlannedImage {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly outcome: PlanOutcome;
  /** The ledger row's state before the plan; null when there is no row. */
  readonly ledgerState: LedgerState | null;
  /** The matched device image in Graph, else the ledger's. */
  readonly deviceImageId: string | null;
  readonly reason: SkipReason | null;
  readonly fix: string | null;
  readonly cause: RegisterCause | null;
}

export interface Plan {
  readonly actions: readonly PlanAction[];
  /** Every in-scope source image, in listing order. */
  readonly images: readonly PlannedImage[];
}
