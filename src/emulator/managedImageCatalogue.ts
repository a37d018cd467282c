// The ARM side of the tenant: subscriptions, their resource groups and managed images. Names and
// ids are looked up case-insensitively, as ARM does.
import type { Estate, ManagedImageSpec, SubscriptionAccess } from './estateSchema';
import { parseManagedImage } from './parseEstate';
import { renderManagedImage, type JsonObject } from './renderManagedImage';

/** What an in-place rebuild changes. */
export interface ManagedImageRebuild {
  readonly build: string;
  /** Replace the tags whole; omitted: kept. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface ManagedImageRecord {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly spec: ManagedImageSpec;
  /** The id as served (an override may change it). */
  readonly resourceId: string;
  /** The image as ARM serves it. */
  readonly json: JsonObject;
}

export interface ResourceGroupRecord {
  readonly name: string;
  /** Short form (`westeurope`). */
  readonly location: string;
  /** Writes of disks and images are refused 403 (the identity has no role here). */
  refusesWrites: boolean;
  readonly images: Map<string, ManagedImageRecord>;
}

export interface SubscriptionRecord {
  readonly id: string;
  readonly displayName: string;
  access: SubscriptionAccess;
  windows365CanRead: boolean;
  readonly resourceGroups: Map<string, ResourceGroupRecord>;
}

export class ManagedImageCatalogue {
  private readonly subscriptions = new Map<string, SubscriptionRecord>();

  constructor(estate: Estate) {
    for (const spec of estate.subscriptions) {
      const record: SubscriptionRecord = {
        id: spec.id,
        displayName: spec.displayName,
        access: spec.access,
        windows365CanRead: spec.windows365CanRead,
        resourceGroups: new Map(),
      };
      this.subscriptions.set(spec.id.toLowerCase(), record);
      for (const group of spec.resourceGroups) {
        this.resourceGroupOf(record, group.name, group.location).refusesWrites = group.refusesWrites;
        for (const image of group.images) this.put(spec.id, group.name, image);
      }
    }
  }

  subscription(subscriptionId: string): SubscriptionRecord | undefined {
    return this.subscriptions.get(subscriptionId.toLowerCase());
  }

  allSubscriptions(): SubscriptionRecord[] {
    return [...this.subscriptions.values()];
  }

  setAccess(subscriptionId: string, access: SubscriptionAccess): void {
    this.require(subscriptionId).access = access;
  }

  setWindows365CanRead(subscriptionId: string, canRead: boolean): void {
    this.require(subscriptionId).windows365CanRead = canRead;
  }

  hasResourceGroup(subscriptionId: string, resourceGroup: string): boolean {
    return this.resourceGroup(subscriptionId, resourceGroup) !== undefined;
  }

  resourceGroup(subscriptionId: string, resourceGroup: string): ResourceGroupRecord | undefined {
    return this.subscription(subscriptionId)?.resourceGroups.get(resourceGroup.toLowerCase());
  }

  /** The resource group, made (empty, in `location`) when the subscription lacks it. */
  putResourceGroup(subscriptionId: string, resourceGroup: string, location?: string): ResourceGroupRecord {
    return this.resourceGroupOf(this.require(subscriptionId), resourceGroup, location);
  }

  /** Every image of the subscription, or of one resource group, in estate order. */
  images(subscriptionId: string, resourceGroup?: string): ManagedImageRecord[] {
    const record = this.subscription(subscriptionId);
    if (record === undefined) return [];
    const groups = [...record.resourceGroups.entries()]
      .filter(([key]) => resourceGroup === undefined || key === resourceGroup.toLowerCase())
      .map(([, group]) => group);
    return groups.flatMap((group) => [...group.images.values()]);
  }

  image(subscriptionId: string, resourceGroup: string, name: string): ManagedImageRecord | undefined {
    return this.subscription(subscriptionId)?.resourceGroups.get(resourceGroup.toLowerCase())?.images.get(name.toLowerCase());
  }

  /** The image with this resource id (as served, compared case-insensitively). */
  find(resourceId: string): ManagedImageRecord | undefined {
    const key = resourceId.toLowerCase();
    for (const subscription of this.subscriptions.values()) {
      for (const group of subscription.resourceGroups.values()) {
        for (const image of group.images.values()) if (image.resourceId.toLowerCase() === key) return image;
      }
    }
    return undefined;
  }

  /** Adds or replaces an image (creating its resource group); returns it as served. */
  put(subscriptionId: string, resourceGroup: string, spec: ManagedImageSpec): ManagedImageRecord {
    const subscription = this.require(subscriptionId);
    const group = this.resourceGroupOf(subscription, resourceGroup);
    const json = renderManagedImage(subscription.id, group.name, spec);
    const servedId = json['id'];
    const record: ManagedImageRecord = {
      subscriptionId: subscription.id,
      resourceGroup: group.name,
      spec,
      resourceId:
        typeof servedId === 'string'
          ? servedId
          : `/subscriptions/${subscription.id}/resourceGroups/${group.name}/providers/Microsoft.Compute/images/${spec.name}`,
      json,
    };
    group.images.set(spec.name.toLowerCase(), record);
    return record;
  }

  /**
   * Replaces an image in place with a new capture, as Azure Image Builder does on every build: same
   * id, a new build, and its tags re-applied (given tags replace them all). Throws when it is absent.
   */
  rebuild(resourceId: string, changes: ManagedImageRebuild): ManagedImageRecord {
    const found = this.find(resourceId);
    if (found === undefined) throw new Error(`the estate has no managed image ${resourceId}`);
    const spec = parseManagedImage(
      { ...found.spec, build: changes.build, tags: changes.tags === undefined ? found.spec.tags : { ...changes.tags } },
      `the rebuild of ${resourceId}`,
    );
    return this.put(found.subscriptionId, found.resourceGroup, spec);
  }

  remove(resourceId: string): boolean {
    const found = this.find(resourceId);
    if (found === undefined) return false;
    const group = this.subscription(found.subscriptionId)?.resourceGroups.get(found.resourceGroup.toLowerCase());
    return group?.images.delete(found.spec.name.toLowerCase()) ?? false;
  }

  private require(subscriptionId: string): SubscriptionRecord {
    const record = this.subscription(subscriptionId);
    if (record === undefined) throw new Error(`the estate has no subscription ${subscriptionId}`);
    return record;
  }

  private resourceGroupOf(subscription: SubscriptionRecord, name: string, location = 'westeurope'): ResourceGroupRecord {
    const key = name.toLowerCase();
    const existing = subscription.resourceGroups.get(key);
    if (existing !== undefined) return existing;
    const created: ResourceGroupRecord = { name, location, refusesWrites: false, images: new Map<string, ManagedImageRecord>() };
    subscription.resourceGroups.set(key, created);
    return created;
  }
}
