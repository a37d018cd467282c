import { z } from 'zod';

const sourceImageBody = z
  .object({
    resourceId: z.string().nullish(),
    // Deprecated for resourceId; older answers carry only this.
    id: z.string().nullish(),
  })
  .transform((entry, context) => {
    const resourceId = entry.resourceId || entry.id;
    if (resourceId) return resourceId;
    context.addIssue({ code: 'custom', path: ['resourceId'], message: 'neither resourceId nor id is given' });
    return z.NEVER;
  });

/** The ARM id of one `getSourceImages` entry (a cloudPcSourceDeviceImage); throws a one-line error naming the field when it has none. */
export function toSourceImageResourceId(body: unknown): string {
  const parsed = sourceImageBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Graph returned a source image that cannot be read: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
