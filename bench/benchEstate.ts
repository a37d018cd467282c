// Generated estates for the benchmark, made with the emulator's builders: every subscription holds
// one resource group of images, each image one of four kinds. What the APIs allow at least (list
// pages per subscription, Graph list pages, one POST per new image) follows from the shape.
import {
  type DeviceImageSeedInput,
  type EstateInput,
  type ManagedImageInput,
  deviceImage,
  estate,
  managedImage,
  managedImageResourceId,
  resourceGroup,
  subscription,
} from '../src/emulator';

/**
 * new: tagged and eligible, not in Windows 365 yet; registered: already a ready device image;
 * rebuilt: rebuilt in place, its version 1.0.0 a ready device image and its tags now 2.0.0 (a new
 * registration); ineligible: tagged Gen1 (skipped); untagged: out of scope.
 */
export type ImageKind = 'new' | 'registered' | 'rebuilt' | 'ineligible' | 'untagged';

/** The emulator's page sizes when the estate does not set them. */
const EMULATOR_PAGE_SIZE = 5;

export interface EstateShape {
  readonly subscriptions: number;
  readonly imagesPerSubscription: number;
  /** What image `index` (0-based) of subscription `subscriptionIndex` is; `ordinal` counts images over the whole estate. */
  readonly kindOf: (position: { readonly subscriptionIndex: number; readonly index: number; readonly ordinal: number }) => ImageKind;
  readonly uploadSeconds: number;
  /** Omitted: the emulator's default (5). */
  readonly armPageSize?: number;
  readonly graphPageSize?: number;
}

export interface BenchEstate {
  readonly estate: EstateInput;
  readonly subscriptionIds: readonly string[];
  readonly counts: Readonly<Record<ImageKind, number>>;
  /** ARM list pages of each subscription (at least one, even for an empty one). */
  readonly armPages: readonly number[];
  /** Pages of the one Graph list of device images at the start. */
  readonly graphPages: number;
  readonly armPageSize: number;
  readonly graphPageSize: number;
}

export function subscriptionIdOf(subscriptionIndex: number): string {
  return `b0000000-0000-4000-8000-${String(subscriptionIndex + 1).padStart(12, '0')}`;
}

function pages(items: number, pageSize: number): number {
  return Math.max(1, Math.ceil(items / pageSize));
}

export function benchEstate(shape: EstateShape): BenchEstate {
  const counts: Record<ImageKind, number> = { new: 0, registered: 0, rebuilt: 0, ineligible: 0, untagged: 0 };
  const seeds: DeviceImageSeedInput[] = [];
  const subscriptions = [];
  const subscriptionIds: string[] = [];
  let ordinal = 0;
  for (let subscriptionIndex = 0; subscriptionIndex < shape.subscriptions; subscriptionIndex++) {
    const id = subscriptionIdOf(subscriptionIndex);
    subscriptionIds.push(id);
    const images: ManagedImageInput[] = [];
    for (let index = 0; index < shape.imagesPerSubscription; index++) {
      const kind = shape.kindOf({ subscriptionIndex, index, ordinal });
      ordinal += 1;
      counts[kind] += 1;
      const displayName = `img-${subscriptionIndex}-${index}`;
      const name = `${displayName}-1.0.0`;
      if (kind === 'untagged') images.push({ name, tags: {} });
      else if (kind === 'ineligible') images.push(managedImage({ name, hyperVGeneration: 'V1' }));
      else if (kind === 'rebuilt') {
        images.push(managedImage({ name: displayName, build: 'b2', tags: { 'cloudpc-sync': 'true', 'cloudpc-version': '2.0.0' } }));
        seeds.push(
          deviceImage({
            displayName,
            version: '1.0.0',
            sourceImageResourceId: managedImageResourceId(id, 'rg-images', displayName),
            status: 'ready',
          }),
        );
      } else images.push(managedImage({ name }));
      if (kind === 'registered') {
        seeds.push(
          deviceImage({
            displayName,
            version: '1.0.0',
            sourceImageResourceId: managedImageResourceId(id, 'rg-images', name),
            status: 'ready',
          }),
        );
      }
    }
    subscriptions.push(
      subscription({ id, displayName: `Bench ${subscriptionIndex + 1}`, resourceGroups: [resourceGroup('rg-images', images)] }),
    );
  }
  const armPageSize = shape.armPageSize ?? EMULATOR_PAGE_SIZE;
  const graphPageSize = shape.graphPageSize ?? EMULATOR_PAGE_SIZE;
  const total = shape.subscriptions * shape.imagesPerSubscription;
  return {
    estate: estate({
      description: `bench: ${shape.subscriptions} subscriptions x ${shape.imagesPerSubscription} images`,
      uploadSeconds: shape.uploadSeconds,
      arm: { pageSize: armPageSize },
      // A real tenant holds at most 20 custom images; the bench needs room for every image it registers.
      graph: { pageSize: graphPageSize, maxDeviceImages: total + 1 },
      subscriptions,
      deviceImages: seeds,
    }),
    subscriptionIds,
    counts,
    armPages: subscriptionIds.map(() => pages(shape.imagesPerSubscription, armPageSize)),
    graphPages: pages(counts.registered + counts.rebuilt, graphPageSize),
    armPageSize,
    graphPageSize,
  };
}
