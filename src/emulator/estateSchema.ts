// The estate file: the tenant the emulator plays (subscriptions, managed images, device images,
// OS catalogue, settings), validated with errors that name the field. Format: docs/emulator.md.
import { z } from 'zod';
import { faultRuleSchema } from './faultRules';
import { gallerySchema } from './gallerySchema';
import { reportedOsSchema, uploadSchema } from './uploadSchema';

export const managedImageSchema = z.strictObject({
  name: z.string().min(1),
  location: z.string().default('westeurope'),
  tags: z.record(z.string(), z.string()).nullable().default({}),
  provisioningState: z.string().nullable().default('Succeeded'),
  hyperVGeneration: z.string().nullable().default('V2'),
  osType: z.string().nullable().default('Windows'),
  osState: z.string().nullable().default('Generalized'),
  osDiskSizeGB: z.number().int().positive().nullable().default(64),
  dataDisks: z.number().int().min(0).default(0),
  /** The id of a disk encryption set on the OS disk. */
  diskEncryptionSet: z.string().nullable().default(null),
  /** Name of the VM it was captured from. */
  sourceVirtualMachine: z.string().nullable().default('build-vm'),
  /**
   * Which capture this is: an image rebuilt in place (as Azure Image Builder does) keeps its id but
   * gets a new build, which shows in its OS disk and source VM ids. Null: the ids carry no build.
   */
  build: z
    .string()
    .regex(/^[-\w.]{1,64}$/, 'a build: 1-64 letters, digits, - _ .')
    .nullable()
    .default(null),
  /** What Graph reports once an upload of this image is ready. */
  reportedOs: reportedOsSchema.prefault({}),
  /** Omitted: decided from the image (ready when it meets Windows 365's requirements). */
  upload: uploadSchema.optional(),
  /** Deep-merged over the ARM JSON as served (objects merge, anything else replaces; null serves null). */
  armOverrides: z.record(z.string(), z.unknown()).optional(),
  /** Dotted paths removed from the ARM JSON as served, such as `properties.storageProfile`. */
  armOmit: z.array(z.string().min(1)).optional(),
});

const resourceGroupSchema = z.strictObject({
  name: z.string().regex(/^[-\w._()]{1,90}$/, 'a resource group name: 1-90 letters, digits, - _ . ( )'),
  /** The group's region (short form, as ARM gives it): where a copy of a gallery version is made. */
  location: z.string().min(1).default('westeurope'),
  images: z.array(managedImageSchema).default([]),
  galleries: z.array(gallerySchema).default([]),
  /** Writes (PUT, DELETE of disks and images) are refused 403 AuthorizationFailed: the identity lacks a role here. */
  refusesWrites: z.boolean().default(false),
});

export const subscriptionAccess = z.enum(['readable', 'forbidden', 'notFound']);
export type SubscriptionAccess = z.output<typeof subscriptionAccess>;

const subscriptionSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'a subscription GUID'),
  displayName: z.string().default('Subscription'),
  /** How ARM answers the app: `forbidden` = 403 AuthorizationFailed, `notFound` = 404 SubscriptionNotFound. */
  access: subscriptionAccess.default('readable'),
  /** Whether the Windows 365 service principal can read it (getSourceImages, uploads). */
  windows365CanRead: z.boolean().default(true),
  resourceGroups: z.array(resourceGroupSchema).default([]),
});

export const deviceImageSeedSchema = z.strictObject({
  id: z.string().min(1).optional(),
  displayName: z.string().min(1),
  version: z.string().min(1),
  sourceImageResourceId: z.string().min(1),
  status: z.enum(['ready', 'failed', 'pending', 'warning']).default('ready'),
  errorCode: z.string().nullable().default(null),
  /** A provisioning policy uses it: delete is refused. */
  usedByProvisioningPolicy: z.boolean().default(false),
  lastModifiedDateTime: z.iso.datetime().optional(),
  reportedOs: reportedOsSchema.prefault({}),
  sizeInGB: z.number().int().positive().default(64),
});

export const provisioningPolicySchema = z.strictObject({
  /** Omitted: a generated GUID. */
  id: z.string().min(1).optional(),
  displayName: z.string().min(1),
  imageType: z.enum(['custom', 'gallery']).default('custom'),
  /** For a custom image, the device image's id. Not checked against the device images (a PATCH is). */
  imageId: z.string().min(1).nullable().default(null),
  imageDisplayName: z.string().nullable().default(null),
});

/** Cloud PCs a policy has from the start (DESIGN §18's evidence: these existed before any rollout). */
export const cloudPcSeedSchema = z.strictObject({
  /** The id of a provisioning policy of the estate. */
  policyId: z.string().min(1),
  count: z.number().int().min(1).max(10_000).default(1),
  status: z
    .enum(['provisioning', 'provisioned', 'provisionedWithWarnings', 'failed', 'inGracePeriod', 'deprovisioning'])
    .default('provisioned'),
});

/** The clock provisions: users get a new Cloud PC of the policy every `everySeconds`, on the image it gives then. */
export const cloudPcArrivalsSchema = z.strictObject({
  policyId: z.string().min(1),
  everySeconds: z.number().positive(),
  provisionSeconds: z.number().min(0).default(60),
});

export const osImageSchema = z.strictObject({
  id: z.string().min(1),
  supportedEditions: z.array(z.strictObject({ editionType: z.string(), supportEndDate: z.string() })).default([]),
  supportedArchitectures: z.array(z.string()).default(['x64']),
  availableUpdates: z
    .array(z.strictObject({ buildVersion: z.string(), releaseMonth: z.number().int(), releaseYear: z.number().int() }))
    .default([]),
});

export const estateSchema = z
  .strictObject({
    /** Free text for people reading the file. */
    description: z.string().optional(),
    /** Default seconds an upload stays pending. */
    uploadSeconds: z.number().min(0).default(5),
    arm: z
      .strictObject({
        pageSize: z.number().int().min(1).max(1000).default(5),
        /** A long-running operation answers Succeeded (or Failed) at this status poll; InProgress before. */
        operationPolls: z.number().int().min(1).max(100).default(1),
        /** ...or once this many seconds of the emulator's clock have passed since it started (as if ARM finished unobserved). */
        operationSeconds: z.number().min(0).default(30),
      })
      .prefault({}),
    graph: z
      .strictObject({
        pageSize: z.number().int().min(1).max(1000).default(5),
        /** Where an upload failure is reported: current `errorCode`, the oldest pages' `statusDetails`, or both. */
        failureField: z.enum(['errorCode', 'statusDetails', 'both']).default('errorCode'),
        /** Status of a create whose displayName+version is taken. */
        duplicateStatus: z.union([z.literal(409), z.literal(400)]).default(409),
        /** PATCH on a device image: applied (old docs), or refused with 400 (every property is read-only). */
        updates: z.enum(['apply', 'reject']).default('apply'),
        /** A tenant holds at most this many custom images. */
        maxDeviceImages: z.number().int().min(1).default(20),
        /** A create may name a gallery image version as its source (Windows 365's preview); false: refused 400. */
        galleryDirect: z.boolean().default(false),
      })
      .prefault({}),
    /** The bearer token every request must carry; null: any non-empty token. */
    token: z.string().min(1).nullable().default(null),
    subscriptions: z.array(subscriptionSchema).default([]),
    deviceImages: z.array(deviceImageSeedSchema).default([]),
    /** Cloud PC provisioning policies; a device image one of them uses cannot be deleted. */
    provisioningPolicies: z.array(provisioningPolicySchema).default([]),
    osImages: z.array(osImageSchema).default([]),
    cloudPcs: z.array(cloudPcSeedSchema).default([]),
    cloudPcArrivals: z.array(cloudPcArrivalsSchema).default([]),
    /** Fault rules active from the start. */
    faults: z.array(faultRuleSchema).default([]),
  })
  .superRefine((estate, context) => {
    const subscriptions = new Set<string>();
    estate.subscriptions.forEach((subscription, s) => {
      const key = subscription.id.toLowerCase();
      if (subscriptions.has(key))
        context.addIssue({ code: 'custom', path: ['subscriptions', s, 'id'], message: `subscription ${subscription.id} appears twice` });
      subscriptions.add(key);
      const groups = new Set<string>();
      subscription.resourceGroups.forEach((group, g) => {
        const groupKey = group.name.toLowerCase();
        if (groups.has(groupKey))
          context.addIssue({
            code: 'custom',
            path: ['subscriptions', s, 'resourceGroups', g, 'name'],
            message: `resource group ${group.name} appears twice`,
          });
        groups.add(groupKey);
        const images = new Set<string>();
        group.images.forEach((image, i) => {
          const imageKey = image.name.toLowerCase();
          if (images.has(imageKey))
            context.addIssue({
              code: 'custom',
              path: ['subscriptions', s, 'resourceGroups', g, 'images', i, 'name'],
              message: `image ${image.name} appears twice in ${group.name}`,
            });
          images.add(imageKey);
        });
        const galleries = new Set<string>();
        group.galleries.forEach((gallery, l) => {
          const galleryKey = gallery.name.toLowerCase();
          if (galleries.has(galleryKey))
            context.addIssue({
              code: 'custom',
              path: ['subscriptions', s, 'resourceGroups', g, 'galleries', l, 'name'],
              message: `gallery ${gallery.name} appears twice in ${group.name}`,
            });
          galleries.add(galleryKey);
          gallery.images.forEach((definition, d) => {
            const versions = new Set<string>();
            definition.versions.forEach((version, v) => {
              if (versions.has(version.name))
                context.addIssue({
                  code: 'custom',
                  path: ['subscriptions', s, 'resourceGroups', g, 'galleries', l, 'images', d, 'versions', v, 'name'],
                  message: `version ${version.name} appears twice in ${gallery.name}/${definition.name}`,
                });
              versions.add(version.name);
            });
          });
        });
      });
    });
    const pairs = new Set<string>();
    estate.deviceImages.forEach((image, d) => {
      const pair = `${image.displayName}\n${image.version}`.toLowerCase();
      if (pairs.has(pair))
        context.addIssue({
          code: 'custom',
          path: ['deviceImages', d, 'displayName'],
          message: `${image.displayName} ${image.version} appears twice (displayName+version is unique)`,
        });
      pairs.add(pair);
    });
    const policyIds = new Set<string>();
    estate.provisioningPolicies.forEach((policy, p) => {
      if (policy.id === undefined) return;
      const key = policy.id.toLowerCase();
      if (policyIds.has(key))
        context.addIssue({
          code: 'custom',
          path: ['provisioningPolicies', p, 'id'],
          message: `provisioning policy ${policy.id} appears twice`,
        });
      policyIds.add(key);
    });
    for (const field of ['cloudPcs', 'cloudPcArrivals'] as const)
      estate[field].forEach((entry, c) => {
        if (!policyIds.has(entry.policyId.toLowerCase()))
          context.addIssue({
            code: 'custom',
            path: [field, c, 'policyId'],
            message: `no provisioning policy of the estate has the id ${entry.policyId} (give the policy an id)`,
          });
      });
  });

/** An estate as written: in a file or by the builders (defaults not yet applied). */
export type EstateInput = z.input<typeof estateSchema>;
export type Estate = z.output<typeof estateSchema>;
export type ManagedImageSpec = z.output<typeof managedImageSchema>;
export type ManagedImageInput = z.input<typeof managedImageSchema>;
export type UploadSpec = z.output<typeof uploadSchema>;
export type ReportedOs = z.output<typeof reportedOsSchema>;
export type SubscriptionSpec = z.output<typeof subscriptionSchema>;
export type SubscriptionInput = z.input<typeof subscriptionSchema>;
export type ResourceGroupInput = z.input<typeof resourceGroupSchema>;
export type DeviceImageSeed = z.output<typeof deviceImageSeedSchema>;
export type DeviceImageSeedInput = z.input<typeof deviceImageSeedSchema>;
export type ProvisioningPolicySeed = z.output<typeof provisioningPolicySchema>;
export type ProvisioningPolicyInput = z.input<typeof provisioningPolicySchema>;
export type OsImage = z.output<typeof osImageSchema>;
export type OsImageInput = z.input<typeof osImageSchema>;
