// What counts against the tenant's custom-image limit (DESIGN §13, §15): every device image Graph
// lists, each once (two device images of one registration, or one whose version is not canonical,
// are two images to Graph), plus the creates in flight, a reservation whose registration Graph does
// not list yet. Slots are `slotName`s of registration keys.

export interface Occupancy {
  /** Images in the tenant plus creates in flight. */
  readonly inUse: number;
  /** Whether the registration holds a slot already: its device image is listed, or its create is in flight. */
  holds(slot: string): boolean;
  /** Counts one more create in flight. */
  take(slot: string): void;
}

/**
 * `imagesInTenant`: how many device images Graph lists; `tenantSlots`: the slots of their
 * registrations; `reserved`: the open reservations.
 */
export function occupancyOf(imagesInTenant: number, tenantSlots: ReadonlySet<string>, reserved: Iterable<string>): Occupancy {
  const inFlight = new Set([...reserved].filter((slot) => !tenantSlots.has(slot)));
  const images = Math.max(imagesInTenant, tenantSlots.size);
  return {
    get inUse() {
      return images + inFlight.size;
    },
    holds: (slot) => tenantSlots.has(slot) || inFlight.has(slot),
    take: (slot) => {
      if (!tenantSlots.has(slot)) inFlight.add(slot);
    },
  };
}
