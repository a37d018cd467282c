// One row of the discovery query's answer (resultFormat objectArray), parsed at the edge: a managed
// image (as the app needs it), a readable subscription, or something the app cannot use.
import { z } from 'zod';
import type { SourceImage } from '../domain';
import { type OsDiskFacts, sourceImageOf } from './toSourceImage';

const SUBSCRIPTION_ID = /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Every column may be absent or null in real data; eligibility turns the gaps into skip reasons. */
const rowSchema = z.looseObject({
  id: z.string(),
  name: z.unknown().optional(),
  location: z.unknown().optional(),
  tags: z.unknown().optional(),
  provisioningState: z.unknown().optional(),
  hyperVGeneration: z.unknown().optional(),
  osDisk: z.unknown().optional(),
  dataDiskCount: z.unknown().optional(),
  sourceVirtualMachineId: z.unknown().optional(),
});

export type ResourceGraphRow =
  | { readonly kind: 'image'; readonly image: SourceImage }
  | { readonly kind: 'subscription'; readonly subscriptionId: string }
  | { readonly kind: 'unusable' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function osDiskOf(value: unknown): OsDiskFacts | null {
  return isRecord(value) ? value : null;
}

export function toResourceGraphRow(value: unknown): ResourceGraphRow {
  const parsed = rowSchema.safeParse(value);
  if (!parsed.success) return { kind: 'unusable' };
  const row = parsed.data;
  const subscription = SUBSCRIPTION_ID.exec(row.id);
  if (subscription?.[1] !== undefined) return { kind: 'subscription', subscriptionId: subscription[1] };
  const image = sourceImageOf({
    id: row.id,
    name: row.name,
    location: row.location,
    tags: row.tags,
    provisioningState: row.provisioningState,
    hyperVGeneration: row.hyperVGeneration,
    osDisk: osDiskOf(row.osDisk),
    dataDiskCount:
      typeof row.dataDiskCount === 'number' && Number.isInteger(row.dataDiskCount) && row.dataDiskCount > 0 ? row.dataDiskCount : 0,
    sourceVirtualMachineId: row.sourceVirtualMachineId,
  });
  return image === null ? { kind: 'unusable' } : { kind: 'image', image };
}
