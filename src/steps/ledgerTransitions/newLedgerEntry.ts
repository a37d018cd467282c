import type { NewLedgerEntry } from '../../ports';

/** What a transition knows of the registration it writes: its key, name and what it was planned from. */
export interface ImageIdentity {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  /** What the source was captured from when this version was planned (SourceImage.contentFingerprint). */
  readonly contentFingerprint?: string | null;
  /** The source's cloudpc-provisioning-policies tag when this version was planned. */
  readonly rolloutPolicies?: readonly string[];
}

/** A fresh row for an image: queued, nothing tried yet. */
export function newLedgerEntry(identity: ImageIdentity): NewLedgerEntry {
  return {
    sourceImageResourceId: identity.sourceImageResourceId,
    displayName: identity.displayName,
    version: identity.version,
    state: 'queued',
    deviceImageId: null,
    errorCode: null,
    reason: null,
    fix: null,
    attempts: 0,
    origin: null,
    retiringAt: null,
    retryUploads: 0,
    statusChecks: 0,
    pendingSince: null,
    nextCheckAt: null,
    alertedAt: null,
    contentFingerprint: identity.contentFingerprint ?? null,
    uploadStatus: null,
    osStatus: null,
    expirationDate: null,
    sourceWarnings: [],
    alertedWarnings: [],
    policies: [],
    rolloutPolicies: identity.rolloutPolicies ?? [],
    rollouts: [],
    imageCreatedAt: null,
    readyAt: null,
    osVersionNumber: null,
    operatingSystem: null,
    latestBuild: null,
    patchLag: null,
    currencyWarnings: [],
    alertedCurrency: [],
    copyId: null,
  };
}
