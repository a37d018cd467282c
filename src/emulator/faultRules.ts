// Fault rules: what the emulator does wrong on purpose, per service and per request kind.
import { z } from 'zod';

const probability = z.number().min(0).max(1).default(0);
const seconds = z.number().int().min(0).max(3600);
/** How many of the next matching requests get the fault for certain (before any probability). */
const next = z.number().int().min(0).default(0);

export const faultRuleSchema = z.strictObject({
  /** Omitted: both services. */
  service: z.enum(['arm', 'graph']).optional(),
  /** Request kinds (`graph.deviceImages.create`) or prefixes ending in `*` (`graph.*`); omitted: every kind. */
  kinds: z.array(z.string().min(1)).min(1).optional(),
  /** Added before answering each matching request. */
  latencyMs: z.number().min(0).max(60_000).optional(),
  /** 429 TooManyRequests with Retry-After. */
  throttle: z.strictObject({ probability, next, retryAfterSeconds: seconds.min(1).default(1) }).optional(),
  /** 503 ServiceUnavailable; Retry-After only when retryAfterSeconds is set. */
  unavailable: z.strictObject({ probability, next, retryAfterSeconds: seconds.nullable().default(null) }).optional(),
  /** The socket is reset without an answer. */
  reset: z.strictObject({ probability, next }).optional(),
  /**
   * A refusal (4xx, 403 Forbidden by default) instead of the answer: a missing permission, a policy
   * Graph will not change, a DELETE refused in words the app has never seen. `code` and `message`
   * replace the error body's defaults (the status's code, a generic sentence).
   */
  refuse: z
    .strictObject({
      next,
      probability,
      status: z.number().int().min(400).max(499).default(403),
      code: z.string().min(1).optional(),
      message: z.string().min(1).optional(),
    })
    .optional(),
  /**
   * Device image lists (`graph.deviceImages.list`) that leave out the device images created in the
   * last `seconds` (by the emulator's clock): a listing read before they were created (one that was
   * under way while they were), or one that does not show them yet. A GET finds them.
   */
  listingLag: z.strictObject({ next, probability, seconds: z.number().positive() }).optional(),
  /** Every matching request fails this way until the rule is removed. */
  down: z.enum(['unavailable', 'reset']).optional(),
  /** A create (or a provisioning policy PATCH) takes effect, then its answer is lost: a 5xx status, or a reset. */
  ambiguousCreates: z
    .strictObject({
      next,
      probability,
      answer: z.union([z.literal('reset'), z.number().int().min(500).max(599)]).default(500),
    })
    .optional(),
  /**
   * A successful answer (2xx with a body) arrives whole but malformed: its body keeps only its
   * `@odata.context`, so an entity has none of its properties and a collection no `value` list.
   */
  malformed: z.strictObject({ next, probability }).optional(),
  /** A token bucket: over budget answers 429 with the Retry-After the bucket needs to refill. */
  budget: z
    .strictObject({
      perSecond: z.number().positive(),
      /** Bucket size; defaults to perSecond. */
      burst: z.number().positive().optional(),
    })
    .optional(),
});

/** A fault rule as callers write it (defaults filled in on use). */
export type FaultRule = z.input<typeof faultRuleSchema>;
export type ParsedFaultRule = z.output<typeof faultRuleSchema>;

export type Service = 'arm' | 'graph';

export function ruleApplies(rule: ParsedFaultRule, service: Service, kind: string): boolean {
  if (rule.service !== undefined && rule.service !== service) return false;
  if (rule.kinds === undefined) return true;
  return rule.kinds.some((pattern) => (pattern.endsWith('*') ? kind.startsWith(pattern.slice(0, -1)) : pattern === kind));
}
