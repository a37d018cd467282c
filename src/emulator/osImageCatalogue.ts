// The Intune Windows OS catalogue the tenant holds (`managedDeviceWindowsOSImages`), by id
// (compared case-insensitively).
import type { OsImage } from './estateSchema';
import { Refusal } from './replies';

export class OsImageCatalogue {
  private readonly images = new Map<string, OsImage>();

  constructor(images: readonly OsImage[]) {
    for (const image of images) this.images.set(image.id.toLowerCase(), image);
  }

  list(): OsImage[] {
    return [...this.images.values()];
  }

  get(id: string): OsImage | undefined {
    return this.images.get(id.toLowerCase());
  }

  add(image: OsImage): void {
    if (this.images.has(image.id.toLowerCase()))
      throw new Refusal(409, 'Conflict', `A Windows OS image with id '${image.id}' already exists.`);
    this.images.set(image.id.toLowerCase(), image);
  }
}
