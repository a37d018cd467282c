// `image-sync register <id>` as a build pipeline runs it, with least privilege (DESIGN §14): Reader
// on the image and enqueue rights on the register queue. The image's own eligibility is judged here,
// so the pipeline learns at once what to fix; what depends on the tenant (the image limit, whether
// Windows 365 can read the source, a name and version taken) is planned by the function app, which
// receives the request as a register job marked `requested`. When the caller may also read the
// ledger, it is told whether the registration is known already (and version-unchanged, exit 2).
import type { ImageWarning, LedgerRow, LedgerState, RegisterJob, SkipReason } from '../domain';
import { ForbiddenError, PermanentError } from '../errors';
import { checkEligibility, skipFix } from '../rules/eligibility';
import type { NamingOverrides } from '../rules/naming';
import type { SyncDeps } from '../ports';
import { sourceWarnings } from '../rules/warnings';

export interface RegistrationRequest {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  /** queued: sent to the function app; skip: the image breaks an eligibility rule; known: registered already, nothing sent. */
  readonly outcome: 'queued' | 'skip' | 'known';
  readonly reason: SkipReason | null;
  readonly fix: string | null;
  /** The registration's ledger state; null when it has no row or the ledger could not be read. */
  readonly ledgerState: LedgerState | null;
  readonly deviceImageId: string | null;
  /** false: the caller holds no read right on the ledger table, so only the image's own rules were checked here. */
  readonly ledgerRead: boolean;
  /** Registered already, but the source was rebuilt since without a new version: nothing is sent. */
  readonly versionUnchanged: ImageWarning | null;
}

type RequestDeps = Pick<SyncDeps, 'sourceImages' | 'ledger' | 'queues' | 'clock' | 'log'>;

/** States in which the function app has nothing to do for a request: the device image exists or existed. */
const SETTLED: ReadonlySet<LedgerState> = new Set(['pending', 'ready', 'retired']);

/** The registration's row, or `unreadable` when the caller's identity may not read the ledger. */
async function readRow(deps: RequestDeps, sourceImageResourceId: string, version: string): Promise<LedgerRow | null | 'unreadable'> {
  try {
    return await deps.ledger.get({ sourceImageResourceId, version });
  } catch (error) {
    if (!(error instanceof ForbiddenError)) throw error;
    deps.log.info('LedgerNotReadable', { detail: error.message });
    return 'unreadable';
  }
}

export async function requestRegistration(
  deps: RequestDeps,
  sourceImageResourceId: string,
  overrides: NamingOverrides,
): Promise<RegistrationRequest> {
  const image = await deps.sourceImages.get(sourceImageResourceId);
  if (image === null) {
    throw new PermanentError({
      message: `the image ${sourceImageResourceId} does not exist (or this identity cannot read it): check the id, or grant Reader on the image or its resource group`,
      status: 404,
      code: 'ImageNotFound',
    });
  }
  const eligibility = checkEligibility(image, overrides);
  const base = {
    sourceImageResourceId: image.id,
    displayName: eligibility.displayName,
    version: eligibility.version,
    deviceImageId: null,
    versionUnchanged: null,
  };
  if (!eligibility.eligible) {
    return {
      ...base,
      outcome: 'skip',
      reason: eligibility.reason,
      fix: skipFix(eligibility.reason, image, { overrides }),
      ledgerState: null,
      ledgerRead: false,
    };
  }
  const { displayName, version } = eligibility;
  const row = await readRow(deps, image.id, version);
  const known = row === 'unreadable' ? null : row;
  const recorded = { ledgerState: known?.state ?? null, deviceImageId: known?.deviceImageId ?? null, ledgerRead: row !== 'unreadable' };
  if (known !== null && SETTLED.has(known.state)) {
    const versionUnchanged =
      sourceWarnings(known, image, { displayName, version }).find((warning) => warning.code === 'version-unchanged') ?? null;
    return { ...base, ...recorded, outcome: 'known', reason: null, fix: null, versionUnchanged };
  }
  const job: RegisterJob = {
    v: 1,
    sourceImageResourceId: image.id,
    displayName,
    version,
    trigger: 'manual',
    enqueuedAt: deps.clock.now().toISOString(),
    requested: true,
    versionFromCaller: overrides.version !== undefined,
    ...(image.contentFingerprint === null ? {} : { fingerprint: image.contentFingerprint }),
  };
  await deps.queues.sendRegisterJob(job);
  deps.log.info('RegisterRequestQueued', { sourceImageResourceId: image.id, displayName, version });
  return { ...base, ...recorded, outcome: 'queued', reason: null, fix: null };
}
