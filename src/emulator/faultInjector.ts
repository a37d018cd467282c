// Decides, per request, which fault (if any) the emulator applies, from the active rules. Draws
// from a seeded random source only for rules with a probability, so a seed replays the same run.
import { faultRuleSchema, ruleApplies, type FaultRule, type ParsedFaultRule, type Service } from './faultRules';
import type { RandomSource } from './randomSource';
import { TokenBucket } from './tokenBucket';

export type FaultName = 'down' | 'budget' | 'throttle' | 'unavailable' | 'reset' | 'ambiguous-create' | 'malformed' | 'refuse';

export type FaultAction =
  | { readonly fault: FaultName; readonly answer: 'reset' }
  | {
      readonly fault: FaultName;
      readonly answer: 'status';
      readonly status: number;
      readonly code: string;
      readonly retryAfterSeconds: number | null;
      /** The error body's message, when the rule gives one. */
      readonly message?: string;
    };

export interface FaultDecision {
  readonly latencyMs: number;
  readonly action: FaultAction | null;
}

type CountedFault = 'throttle' | 'unavailable' | 'reset' | 'ambiguousCreates' | 'malformed' | 'refuse' | 'listingLag';

interface ActiveRule {
  readonly rule: ParsedFaultRule;
  readonly bucket: TokenBucket | null;
  /** What is left of each fault's `next` count. */
  readonly left: Record<CountedFault, number>;
}

/** ARM writes whose answer the ambiguousCreates fault can lose after they took effect (the copy's PUTs and DELETEs). */
const ARM_WRITES = new Set(['arm.disks.put', 'arm.images.put', 'arm.disks.delete', 'arm.images.delete']);

export class FaultInjector {
  private active: ActiveRule[] = [];

  constructor(
    private readonly random: RandomSource,
    private readonly nowMs: () => number,
  ) {}

  /** Replaces every rule (counters and budgets start afresh). */
  set(rules: readonly FaultRule[]): void {
    this.active = rules.map((input, index) => {
      const parsed = faultRuleSchema.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(
          `fault rule ${index}: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(rule)'}: ${issue.message}`}`,
        );
      }
      const rule = parsed.data;
      const bucket =
        rule.budget === undefined ? null : new TokenBucket(rule.budget.perSecond, rule.budget.burst ?? rule.budget.perSecond, this.nowMs());
      const left = {
        throttle: rule.throttle?.next ?? 0,
        unavailable: rule.unavailable?.next ?? 0,
        reset: rule.reset?.next ?? 0,
        ambiguousCreates: rule.ambiguousCreates?.next ?? 0,
        malformed: rule.malformed?.next ?? 0,
        refuse: rule.refuse?.next ?? 0,
        listingLag: rule.listingLag?.next ?? 0,
      };
      return { rule, bucket, left };
    });
  }

  rules(): ParsedFaultRule[] {
    return this.active.map((active) => active.rule);
  }

  /** What happens to a request before it is served. */
  beforeServing(service: Service, kind: string): FaultDecision {
    const matching = this.active.filter((active) => ruleApplies(active.rule, service, kind));
    const latencyMs = matching.reduce((total, active) => total + (active.rule.latencyMs ?? 0), 0);
    for (const active of matching) {
      const action = this.actionOf(active, service);
      if (action !== null) return { latencyMs, action };
    }
    return { latencyMs, action: null };
  }

  /** After a create (or a policy PATCH) took effect: whether its answer is lost (a 5xx or a reset instead of the 201 or 204). */
  afterSideEffect(service: Service, kind: string): FaultAction | null {
    if (!kind.endsWith('.create') && kind !== 'graph.provisioningPolicies.update' && !ARM_WRITES.has(kind)) return null;
    for (const active of this.active) {
      const ambiguity = active.rule.ambiguousCreates;
      if (ambiguity === undefined || !ruleApplies(active.rule, service, kind)) continue;
      if (this.strikes(active, 'ambiguousCreates', ambiguity.probability)) {
        return ambiguity.answer === 'reset'
          ? { fault: 'ambiguous-create', answer: 'reset' }
          : {
              fault: 'ambiguous-create',
              answer: 'status',
              status: ambiguity.answer,
              code: statusCode(ambiguity.answer, service),
              retryAfterSeconds: null,
            };
      }
    }
    return null;
  }

  /** For a device image list about to be answered: how many seconds of the newest device images it leaves out (null: none). */
  listingLagSeconds(service: Service, kind: string): number | null {
    if (kind !== 'graph.deviceImages.list') return null;
    for (const active of this.active) {
      const lag = active.rule.listingLag;
      if (lag === undefined || !ruleApplies(active.rule, service, kind)) continue;
      if (this.strikes(active, 'listingLag', lag.probability)) return lag.seconds;
    }
    return null;
  }

  /** After a successful answer with a body was made: whether it goes out malformed. */
  answersMalformed(service: Service, kind: string): boolean {
    for (const active of this.active) {
      const malformed = active.rule.malformed;
      if (malformed === undefined || !ruleApplies(active.rule, service, kind)) continue;
      if (this.strikes(active, 'malformed', malformed.probability)) return true;
    }
    return false;
  }

  private actionOf(active: ActiveRule, service: Service): FaultAction | null {
    const { rule } = active;
    if (rule.down === 'reset') return { fault: 'down', answer: 'reset' };
    if (rule.down === 'unavailable')
      return { fault: 'down', answer: 'status', status: 503, code: statusCode(503, service), retryAfterSeconds: null };
    if (active.bucket !== null) {
      const answer = active.bucket.take(this.nowMs());
      if (!answer.granted)
        return {
          fault: 'budget',
          answer: 'status',
          status: 429,
          code: statusCode(429, service),
          retryAfterSeconds: answer.retryAfterSeconds,
        };
    }
    if (rule.refuse !== undefined && this.strikes(active, 'refuse', rule.refuse.probability)) {
      return {
        fault: 'refuse',
        answer: 'status',
        status: rule.refuse.status,
        code: rule.refuse.code ?? statusCode(rule.refuse.status, service),
        retryAfterSeconds: null,
        ...(rule.refuse.message === undefined ? {} : { message: rule.refuse.message }),
      };
    }
    if (rule.reset !== undefined && this.strikes(active, 'reset', rule.reset.probability)) return { fault: 'reset', answer: 'reset' };
    if (rule.throttle !== undefined && this.strikes(active, 'throttle', rule.throttle.probability)) {
      return {
        fault: 'throttle',
        answer: 'status',
        status: 429,
        code: statusCode(429, service),
        retryAfterSeconds: rule.throttle.retryAfterSeconds,
      };
    }
    if (rule.unavailable !== undefined && this.strikes(active, 'unavailable', rule.unavailable.probability)) {
      return {
        fault: 'unavailable',
        answer: 'status',
        status: 503,
        code: statusCode(503, service),
        retryAfterSeconds: rule.unavailable.retryAfterSeconds,
      };
    }
    return null;
  }

  /** A counted fault strikes while its count lasts, then with its probability. */
  private strikes(active: ActiveRule, fault: CountedFault, probability: number): boolean {
    if (active.left[fault] > 0) {
      active.left[fault] -= 1;
      return true;
    }
    return this.happens(probability);
  }

  private happens(probability: number): boolean {
    if (probability <= 0) return false;
    if (probability >= 1) return true;
    return this.random.next() < probability;
  }
}

const ERROR_CODES: Readonly<Record<Service, Readonly<Record<number, string>>>> = {
  arm: {
    400: 'BadRequest',
    403: 'AuthorizationFailed',
    404: 'ResourceNotFound',
    409: 'Conflict',
    429: 'TooManyRequests',
    500: 'InternalServerError',
    502: 'BadGateway',
    503: 'ServerBusy',
    504: 'GatewayTimeout',
  },
  graph: {
    400: 'BadRequest',
    403: 'Forbidden',
    404: 'ResourceNotFound',
    409: 'Conflict',
    429: 'TooManyRequests',
    500: 'InternalServerError',
    502: 'BadGateway',
    503: 'ServiceNotAvailable',
    504: 'GatewayTimeout',
  },
};

function statusCode(status: number, service: Service): string {
  return ERROR_CODES[service][status] ?? 'UnknownError';
}

/** The message of a fault's error body when its rule gives none. */
export function faultMessage(fault: FaultName, status: number): string {
  if (status === 429) return 'Too many requests. Retry after the time in the Retry-After header.';
  if (fault === 'ambiguous-create') return 'An internal server error occurred.';
  if (fault === 'refuse')
    return status === 403 ? 'The caller does not have the permission this request needs.' : 'The request was refused.';
  return 'The service is temporarily unavailable. Please retry later.';
}
