// What a reconcile reads about registrations it does not otherwise act on, recorded in their rows:
// Graph's osStatus and expirationDate, the provisioning policies that use each device image, and
// what comparing each source with its registered version shows (DESIGN §13). Warnings that appear
// are alerted once: the new codes ride on the same ETag-guarded write, so only its writer alerts.
import {
  type DeviceImage,
  type ImageWarning,
  type LedgerRow,
  type ProvisioningPolicy,
  type SourceImage,
  type WarningCode,
  isUsable,
  registrationKey,
} from '../domain';
import type { Eligibility } from './eligibility';
import type { LedgerChange } from '../ports';
import { rolloutTargets } from './planRollout';
import { sameWarnings, sourceWarnings, warningCodes, warningsOf } from './warnings';

/** What a reconcile records about a registration it does not otherwise act on. */
export type Observation = Pick<
  LedgerChange,
  | 'uploadStatus'
  | 'osStatus'
  | 'expirationDate'
  | 'policies'
  | 'sourceWarnings'
  | 'contentFingerprint'
  | 'alertedWarnings'
  | 'rolloutPolicies'
>;

export interface ObserveAction {
  readonly kind: 'observe';
  readonly row: LedgerRow;
  readonly observation: Observation;
  /** Warnings to alert once the observation is written: their codes were not alerted before. */
  readonly newWarnings: readonly ImageWarning[];
}

export interface ObservationInput {
  readonly ledger: readonly LedgerRow[];
  readonly deviceImages: readonly DeviceImage[];
  readonly policies: readonly ProvisioningPolicy[] | null;
  /** In-scope sources with their current naming. */
  readonly inScope: readonly { readonly image: SourceImage; readonly eligibility: Eligibility }[];
  /** Registration keys another action of the plan writes already. */
  readonly acted: ReadonlySet<string>;
  readonly now: Date;
  readonly expiryWarningDays: number;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** Display names of the custom-image policies that point at each device image (ids lower-cased). */
export function policiesByDeviceImage(policies: readonly ProvisioningPolicy[]): Map<string, string[]> {
  const using = new Map<string, string[]>();
  for (const policy of policies) {
    if (policy.imageId === null || (policy.imageType !== null && policy.imageType.toLowerCase() !== 'custom')) continue;
    const id = policy.imageId.toLowerCase();
    using.set(
      id,
      [...(using.get(id) ?? []), policy.displayName].sort((a, b) => a.localeCompare(b)),
    );
  }
  return using;
}

export function observeRegistrations(input: ObservationInput): ObserveAction[] {
  const deviceImages = new Map(input.deviceImages.map((deviceImage) => [deviceImage.id.toLowerCase(), deviceImage]));
  const using = input.policies === null ? null : policiesByDeviceImage(input.policies);
  const sources = new Map(input.inScope.map(({ image, eligibility }) => [image.id.toLowerCase(), { image, eligibility }]));
  const actions: ObserveAction[] = [];

  for (const row of input.ledger) {
    if (row.legacy === true || row.deviceImageId === null || row.state === 'retired' || row.state === 'skipped') continue;
    if (input.acted.has(registrationKey(row.sourceImageResourceId, row.version))) continue;
    const deviceImage = deviceImages.get(row.deviceImageId.toLowerCase());
    if (deviceImage === undefined) continue;

    const change: { -readonly [K in keyof Observation]: Observation[K] } = {};
    const { status } = deviceImage;
    // v1.0 lists beta's `warning` as unknownFutureValue (read as `unknown`): only a usable value replaces the row's.
    if (row.state === 'ready' && isUsable(status) && status !== row.uploadStatus) change.uploadStatus = status;
    if (deviceImage.osStatus !== row.osStatus) change.osStatus = deviceImage.osStatus;
    if (deviceImage.expirationDate !== row.expirationDate) change.expirationDate = deviceImage.expirationDate;
    const policies = using?.get(row.deviceImageId.toLowerCase()) ?? (using === null ? row.policies : []);
    if (!sameList(policies, row.policies)) change.policies = policies;

    const source = sources.get(row.sourceImageResourceId.toLowerCase());
    if (source !== undefined && source.eligibility.eligible && source.eligibility.version === row.version) {
      // A registration carried over from the previous release, or adopted, has no capture on record:
      // the source as it is now becomes the baseline.
      const fingerprint = row.contentFingerprint ?? source.image.contentFingerprint;
      if (fingerprint !== row.contentFingerprint) change.contentFingerprint = fingerprint;
      const found = sourceWarnings({ ...row, contentFingerprint: fingerprint }, source.image, source.eligibility);
      if (!sameWarnings(found, row.sourceWarnings)) change.sourceWarnings = found;
      // The tag as it is now: a policy added to it before the version is ready (or after) is rolled out too.
      const targets = rolloutTargets(source.image);
      if (!sameList(targets, row.rolloutPolicies)) change.rolloutPolicies = targets;
    }

    const observed = { ...row, ...change };
    const newWarnings = warningsOf(observed, input.now, input.expiryWarningDays).filter(
      (warning) => !row.alertedWarnings.includes(warning.code),
    );
    if (newWarnings.length > 0) change.alertedWarnings = [...row.alertedWarnings, ...new Set<WarningCode>(warningCodes(newWarnings))];
    if (Object.keys(change).length > 0) actions.push({ kind: 'observe', row, observation: change, newWarnings });
  }
  return actions;
}
