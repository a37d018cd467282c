// Right before a create, what the source holds now decides whether the job may post (DESIGN §15): a
// POST carries the version the source carries at that moment, never an earlier one with the content
// of a later build. Pure; registerImage reads the source (one ARM GET) and acts on the answer.
import type { ImageScope } from '../config';
import type { RegisterJob, SkipReason, SourceImage } from '../domain';
import { checkEligibility, skipFix } from './eligibility';
import { isInScope } from './scope';

export type SourceNow =
  /** Post. `contentFingerprint`: the content the version names now, when ARM shows one. */
  | { readonly kind: 'post'; readonly contentFingerprint: string | null }
  /** The source is gone, opted out, or carries another version now: nothing is posted for this one. */
  | { readonly kind: 'superseded'; readonly versionNow: string | null; readonly fix: string }
  /** The same version, but the source cannot be uploaded as it is now (mid-rebuild, say): skipped, judged again by the next plan. */
  | { readonly kind: 'ineligible'; readonly reason: SkipReason; readonly fix: string };

/**
 * `image`: the source as ARM returns it now (null: 404). A job planned from `image-sync register`
 * (trigger `manual`) was judged without the opt-in tag, and its displayName stands for the tags; so
 * does its version when the caller gave `--version` (`versionFromCaller`; absent: an earlier
 * release's request, taken as the caller's). A version read from the tags is judged by the tags now.
 */
export function judgeSourceNow(job: RegisterJob, image: SourceImage | null, scope: ImageScope): SourceNow {
  const superseded = (versionNow: string | null, source: SourceImage | null): SourceNow => ({
    kind: 'superseded',
    versionNow,
    fix: source === null ? supersededByNothing() : skipFix('superseded', source, { supersededBy: versionNow }),
  });
  if (image === null) return superseded(null, null);
  const requested = job.trigger === 'manual';
  if (!requested && !isInScope(image, scope)) return superseded(null, image);
  const callerVersion = requested && job.versionFromCaller !== false;
  const eligibility = checkEligibility(
    image,
    requested ? { displayName: job.displayName, ...(callerVersion ? { version: job.version } : {}) } : {},
  );
  if (eligibility.version !== job.version) return superseded(eligibility.version, image);
  if (!eligibility.eligible) return { kind: 'ineligible', reason: eligibility.reason, fix: skipFix(eligibility.reason, image) };
  return { kind: 'post', contentFingerprint: image.contentFingerprint };
}

function supersededByNothing(): string {
  return 'nothing was posted for this version: the source image no longer exists (or the app can no longer read it)';
}
