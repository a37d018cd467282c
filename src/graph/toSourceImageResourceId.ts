import { z } from 'zod';
import { unreadableAnswer } from './unreadableAnswer';

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

/** The ARM id of one `getSourceImages` entry (a cloudPcSourceDeviceImage); throws a PermanentError naming the field when it has none. */
export function toSourceImageResourceId(body: unknown): string {
  const parsed = sourceImageBody.safeParse(body);
  if (!parsed.success) throw unreadableAnswer('a source image', parsed.error);
  return parsed.data;
}
