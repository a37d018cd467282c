import { type RegisterJob, type RegisterTrigger, sourceKindOf } from '../../domain';

export interface JobTarget {
  readonly sourceImageResourceId: string;
  readonly displayName: string;
  readonly version: string;
  /** The content the registration is planned from, when ARM showed one: the job's `fingerprint`. */
  readonly contentFingerprint: string | null;
}

/** The register message for a registration, sent now by `trigger`. */
export function registerJob(target: JobTarget, trigger: RegisterTrigger, now: Date): RegisterJob {
  return {
    v: 1,
    sourceImageResourceId: target.sourceImageResourceId,
    displayName: target.displayName,
    version: target.version,
    trigger,
    enqueuedAt: now.toISOString(),
    ...(target.contentFingerprint === null ? {} : { fingerprint: target.contentFingerprint }),
    ...(sourceKindOf(target.sourceImageResourceId) === 'galleryImageVersion' ? { sourceKind: 'galleryImageVersion' as const } : {}),
  };
}
