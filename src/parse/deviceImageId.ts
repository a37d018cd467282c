// The one definition of a Cloud PC device image id as the app accepts it (Graph's ids are GUIDs):
// letters, digits and hyphens only, so an id can be put in a URL path as it is, and one that came
// in a queue message can never name another path (`../`), a query (`?`), a fragment (`#`) or a host.
export const DEVICE_IMAGE_ID = /^[0-9A-Za-z-]{1,128}$/;

export function isDeviceImageId(id: string): boolean {
  return DEVICE_IMAGE_ID.test(id);
}
