// A registration's life in the ledger (a source image at a version), one named transition each.
// Every change is ETag-guarded by the ledger: a transition made from a stale row throws
// LedgerConflictError. A row's source and version are its key and never change.
//
//   (none) ─queue─▶ queued ─claim─▶ creating ─markPending─▶ pending ─markReady─▶ ready ─markRetired─▶ retired
//      │                              │  ▲ │                  │ ▲                  ▲         (Graph said gone)
//      └─skip─▶ skipped               │  │ └─releaseClaim     │ └─recordCheck / recordRetryUpload
//                                     │  └─claim (retry)      │   (releaseRetryUpload gives one back)
//                                     └──────────markFailed────┴─────▶ failed ─queue (manual)─▶ queued
//
// Retention's transitions (markRetiring, markRetired, keepDeviceImage) are in retirementTransitions.ts.
// The transitions live in ledgerTransitions/ by concern; import them from here.
export { type ImageIdentity, newLedgerEntry } from './ledgerTransitions/newLedgerEntry';
export { CLAIM_RELEASED, claimImage, isReleasedClaim, queueImage, releaseClaim } from './ledgerTransitions/claims';
export { rowToActOn } from './ledgerTransitions/rowToActOn';
export {
  adoptPending,
  markPending,
  markReady,
  originOf,
  readyEntry,
  recordCheck,
  recordObservation,
  recordRetryUpload,
  releaseRetryUpload,
} from './ledgerTransitions/deviceImages';
export { type Failure, markAlerted, markFailed, markSkipped, type Skip, skippedEntry } from './ledgerTransitions/skipsAndFailures';
