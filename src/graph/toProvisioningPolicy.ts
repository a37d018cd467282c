import { z } from 'zod';
import type { ProvisioningPolicy } from '../domain';
import { unreadableAnswer } from './unreadableAnswer';

const nullableText = z
  .string()
  .nullish()
  .transform((value) => (value === undefined || value === '' ? null : value));

const provisioningPolicyBody = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  imageId: nullableText,
  imageDisplayName: nullableText,
  imageType: nullableText,
});

/** A cloudPcProvisioningPolicy from Graph's JSON; throws a PermanentError naming the field when it is not one. */
export function toProvisioningPolicy(body: unknown): ProvisioningPolicy {
  const parsed = provisioningPolicyBody.safeParse(body);
  if (!parsed.success) throw unreadableAnswer('a provisioning policy', parsed.error);
  const policy = parsed.data;
  return {
    id: policy.id,
    displayName: policy.displayName,
    imageId: policy.imageId,
    imageDisplayName: policy.imageDisplayName,
    imageType: policy.imageType,
  };
}
