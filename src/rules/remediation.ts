// What an administrator should do about each failure code: Graph's upload errorCodes
// (shared/api/graph-deviceimages.md) and the app's own codes and problem kinds.
// Codes compare case-insensitively and ignoring `-`/`_` (Graph has sent `vmAlreadyAzureAdjoined`
// for `vmAlreadyAzureAdJoined`; problem kinds are spelt `poison-message`, ledger codes `poisonMessage`).

function normalised(code: string): string {
  return code.trim().toLowerCase().replace(/[-_]/g, '');
}

const REMEDIATIONS: Readonly<Record<string, string>> = {
  // Graph upload errorCodes
  internalServerError:
    'a failure inside Windows 365: the app retries the upload a bounded number of times; if it still fails, open a Windows 365 support case with the device image id',
  sourceImageNotFound:
    'the source image was deleted or moved, or Windows 365 cannot read it: restore the image, or grant the Windows 365 service principal (appId 0af06dc6-e4b5-4f28-818e-e78e62d137a5) Reader on its subscription',
  osVersionNotSupported:
    'Windows 365 refused the edition or release of Windows in the image (ARM does not show it): build from Windows 10 or 11 Enterprise on a supported release, not an N or LTSC edition and not a multi-session edition (single-session only), then capture the image again',
  // The app checked Gen2, data disks, disk encryption set and generalized before posting: the hint names only what ARM cannot show.
  sourceImageInvalid:
    'the image fails a Windows 365 check that ARM cannot show: it must be a single-session edition (multi-session editions are refused) of Windows 10/11 Enterprise on a supported release (not N, not LTSC), with no recovery partition, no FSLogix components and at most 3,000 Start-menu apps, captured from a VM that was never joined to a domain or Entra ID nor enrolled in Intune; fix the build, capture the image again, then run image-sync register',
  sourceImageNotGeneralized: 'run sysprep /generalize /oobe on the VM and capture the image again',
  vmAlreadyAzureAdJoined:
    'the captured VM was Entra-joined, domain-joined or Intune-enrolled: build the image from a clean VM that was never joined or enrolled',
  paidSourceImageNotSupport: 'Marketplace images with a paid plan cannot be used: build from an image without a purchase plan',
  sourceImageNotSupportCustomizeVMName: 'remove the VM-name customisation from the image and capture it again',
  sourceImageSizeExceedsLimitation:
    'the OS disk is larger than Windows 365 accepts: capture the image from a smaller OS disk (Cloud PC images default to 64 GB)',
  // The app skips such images before posting, so Windows 365 saw an image that changed after the app read it.
  sourceImageWithDataDiskNotSupported:
    'Windows 365 found data disks on the image (it had none when the app checked it, so it was probably rebuilt since): detach the data disks from the build VM, capture the image again, then run image-sync register',
  sourceImageWithDiskEncryptionSetNotSupported:
    'Windows 365 found a disk encryption set on the OS disk (it had none when the app checked it, so it was probably rebuilt since): capture the image from an OS disk without a disk encryption set (platform-managed keys), then run image-sync register',
  unknownFutureValue:
    'Graph reported an error code this app cannot read: check the device image in the Intune admin center (Windows 365 > Custom images)',
  // the app's own codes
  uploadTimedOut:
    'the upload stayed pending past IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS: check the device image in the Intune admin center; delete it and run image-sync register to upload again, or open a support case',
  // Only a deletion during the upload fails a registration (pollImageStatus); the planner re-registers a ready one whose image vanished.
  deviceImageNotFound:
    'the device image was deleted from Windows 365 before its upload finished (for example in the Intune admin center, Windows 365 > Custom images): if that was not meant, run image-sync register for the image to upload it again; if it was, remove the cloudpc-sync tag from the source image (a device image deleted once ready is registered again by the next reconcile while its source is tagged)',
  unreadableGraphAnswer:
    'Microsoft Graph answered a call in full but with a body that is not what the call returns (the detail names the call and the field): this is not a network failure, so the app does not send the call again at once; check that no proxy or gateway between the app and Graph rewrites answers, and the Microsoft 365 service health; the next reconcile reads Graph afresh',
  createRejected:
    'Graph refused to create the device image: read the detail, fix the image or its cloudpc-display-name / cloudpc-version tags (the pair must be unique in the tenant), then run image-sync register',
  poisonMessage:
    'a queue message failed on every delivery: read the detail and the function logs, fix the cause, then run image-sync register for the image (or wait for the next reconcile)',
  invalidMessage:
    'a queue message was not in the expected shape and was dropped: check what else writes to the image-sync queues; the next reconcile re-plans the image',
  subscriptionUnreadable:
    'the app cannot read this subscription: grant its identity Reader on the subscription, or remove it from IMAGE_SYNC_SUBSCRIPTION_IDS',
  registerRequestUnplanned:
    'an image-sync register request could not be planned because Microsoft Graph refused the app (the graph-forbidden problem says why): grant the permission, then run image-sync register for the image again; a tagged image is also taken by the next reconcile',
  imageUnreadable:
    "the app cannot read this managed image: grant its identity Reader on the image's resource group, or check that the image still exists",
  graphForbidden:
    'Graph refused the app: grant its identity the application permission CloudPC.ReadWrite.All with admin consent (CloudPC.Read.All is enough only to read)',
  transientFailure:
    'Graph or ARM kept answering with throttling, outages or server errors for longer than IMAGE_SYNC_TRANSIENT_RETRY_HOURS: check the Windows 365 and Azure service health and the function logs, then run image-sync register for the image',
  // lifecycle (DESIGN §13): attention skips and refusals
  tenantImageLimit:
    'the tenant holds its most custom images (IMAGE_SYNC_TENANT_IMAGE_LIMIT): delete unused custom images, or set IMAGE_SYNC_KEEP_VERSIONS so the app retires old versions; the next reconcile registers the image once there is room',
  notVisibleToWindows365:
    "Windows 365 cannot read the source image (getSourceImages does not list it): grant the Windows 365 service principal (appId 0af06dc6-e4b5-4f28-818e-e78e62d137a5) Reader on the image's subscription; the next reconcile registers the image once it is listed",
  galleryRegion:
    "the gallery version is not replicated to the region of IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP, where the app makes its managed-image copy (DESIGN §17): add that region to the version's target regions (replicate the version), or point the setting at a staging group in a region the version is replicated to; the next reconcile registers it once it can be copied",
  galleryStagingUnwritable:
    "the app cannot make its managed-image copy of a gallery version in IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP (DESIGN §17): create the resource group if it does not exist, and assign the app's identity the custom role the Bicep defines on it (read, write and delete of disks and images, infra/); nothing was left in the group, and the next reconcile registers the version once it can",
  galleryCopyFailed:
    "ARM refused the managed-image copy of a gallery version (its answer is quoted): check the version in the Azure portal (replicated to the staging group's region, OS disk readable) and that no disk or image of the copy's name that the app did not make is in the staging group; the next reconcile tries again",
  galleryDirectUnsupported:
    'Windows 365 refused a gallery image version as the source (IMAGE_SYNC_GALLERY_SOURCES=direct uses a preview the tenant does not have): set IMAGE_SYNC_GALLERY_SOURCES=copy and IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP, then run image-sync register for the version (failed registrations are not retried on their own)',
  retireRefused:
    "Windows 365 refused to delete a device image retention chose (its answer is quoted): the image and its ledger row stay as they were, and the next reconcile tries again. If the answer says a provisioning policy uses it, point the policy at another image; if it says the app lacks permission, grant the app's identity CloudPC.ReadWrite.All; otherwise check the image in the Intune admin center (Windows 365 > Custom images), or set IMAGE_SYNC_KEEP_VERSIONS=0 to stop retention",
  // rollout rings (DESIGN §18)
  rolloutHalted:
    "new Cloud PCs failed to provision on this version in a rollout ring (the detail names them and Graph's status detail): the ring's provisioning policies are rolled back to the image they used before and later rings never get this version. Fix the image and publish a new version (it starts at ring 1); reprovision the failed Cloud PCs (Intune admin center > Windows 365 > All Cloud PCs > Reprovision) once their policy uses a working image",
  rolloutRingTag:
    'the rings of the cloudpc-provisioning-policies tag are not valid (the detail says how): give every ring at least one policy and name each policy in one ring only, for example "Pilot > Sales; Finance"; nothing rolls out until the tag is fixed',
  deviceImageInUse:
    'a provisioning policy uses this device image, so Windows 365 refuses to delete it: point the policy at another image (Intune admin center > Windows 365 > Provisioning policies), then run image-sync prune or wait for the next retention run',
};

const BY_CODE = new Map(Object.entries(REMEDIATIONS).map(([code, hint]) => [normalised(code), hint]));

/** The remediation hint for a failure code; unknown codes get a generic hint that names the code as received. */
export function remediationFor(errorCode: string): string {
  const hint = BY_CODE.get(normalised(errorCode));
  if (hint !== undefined) return hint;
  return `Windows 365 reported "${errorCode}", a code this app has no specific advice for: check the device image in the Intune admin center (Windows 365 > Custom images) and the Windows 365 requirements the app cannot check from ARM (a single-session edition of Windows 10/11 Enterprise on a supported release, no recovery partition, no FSLogix components, at most 3,000 Start-menu apps, a VM never joined to a domain or Entra ID nor enrolled in Intune), fix the source image, then run image-sync register`;
}

/** Only `internalServerError` is worth a retryUpload; every other code, known or not, is permanent. */
export function isTransientUploadError(errorCode: string | null): boolean {
  return errorCode !== null && normalised(errorCode) === normalised('internalServerError');
}
