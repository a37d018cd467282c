// The tenant's Cloud PCs, per provisioning policy (DESIGN §18's evidence). A Cloud PC provisioned
// through `provision`, or arriving on the clock (`arrive`: users get one every N seconds), gets the
// image its policy gives new Cloud PCs at that moment, is
// `provisioning` for a while on the tenant's clock, then `provisioned`, or `failed` when a failure
// knob names its image (every Cloud PC on that image, or the next N). Seeded ones keep their status.
import type { Clock } from '../domain';

/** beta cloudPcStatus values the emulator serves. */
export type CloudPcStatus = 'provisioning' | 'provisioned' | 'provisionedWithWarnings' | 'failed' | 'inGracePeriod' | 'deprovisioning';

interface CloudPcRecord {
  readonly id: string;
  readonly displayName: string;
  readonly policyId: string;
  readonly policyName: string;
  readonly imageId: string | null;
  readonly imageDisplayName: string | null;
  /** Settled status; `provisioning` until settlesAt (null: settled at once). */
  readonly status: CloudPcStatus;
  readonly settlesAt: number | null;
  readonly lastModified: string;
}

/** A Cloud PC as the emulator shows it at the clock's now. */
export interface EmulatedCloudPc {
  readonly id: string;
  readonly displayName: string;
  readonly provisioningPolicyId: string;
  readonly provisioningPolicyName: string;
  readonly imageId: string | null;
  readonly imageDisplayName: string | null;
  readonly status: CloudPcStatus;
}

/** A failure knob: Cloud PCs provisioned on this image fail, all (`remaining` null) or the next `remaining`. */
interface FailureKnob {
  remaining: number | null;
}

export interface CloudPcPolicyView {
  readonly id: string;
  readonly displayName: string;
  readonly imageId: string | null;
  readonly imageDisplayName: string | null;
}

interface Arrivals {
  readonly policyId: string;
  readonly everyMs: number;
  readonly provisionSeconds: number;
  /** When the next Cloud PC arrives (clock milliseconds). */
  next: number;
}

/** Arrivals made at most per catch-up: a long clock jump over a short interval stays bounded. */
const MAX_ARRIVALS_AT_ONCE = 1_000;

export class CloudPcStore {
  private readonly records: CloudPcRecord[] = [];
  private readonly failures = new Map<string, FailureKnob>();
  private readonly arrivals = new Map<string, Arrivals>();

  constructor(
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  /** A Cloud PC that exists already, in the status given. */
  seed(policy: CloudPcPolicyView, status: CloudPcStatus, id?: string): string {
    return this.add(policy, status, null, id);
  }

  /** `count` new Cloud PCs of the policy, on its current image, provisioning for `seconds` on the clock. */
  provision(policy: CloudPcPolicyView, count: number, seconds: number): string[] {
    const ids: string[] = [];
    for (let made = 0; made < count; made++) {
      const status = this.takeFailure(policy.imageId) ? 'failed' : 'provisioned';
      ids.push(this.add(policy, status, this.clock.now().getTime() + seconds * 1000));
    }
    return ids;
  }

  /** From now on, users get a new Cloud PC of the policy every `everySeconds` on the clock (replacing earlier arrivals of it). */
  arrive(policyId: string, everySeconds: number, provisionSeconds: number): void {
    const everyMs = Math.max(1, everySeconds * 1000);
    this.arrivals.set(policyId.toLowerCase(), { policyId, everyMs, provisionSeconds, next: this.clock.now().getTime() + everyMs });
  }

  stopArrivals(policyId: string): void {
    this.arrivals.delete(policyId.toLowerCase());
  }

  /**
   * Makes every Cloud PC that arrived by now, each on the image its policy gives at this moment: the
   * emulator calls it before serving each request, so arrivals before a PATCH get the image before it.
   */
  catchUp(policyOf: (policyId: string) => CloudPcPolicyView | undefined): void {
    const now = this.clock.now().getTime();
    for (const [key, arrivals] of this.arrivals) {
      const policy = policyOf(arrivals.policyId);
      if (policy === undefined) {
        this.arrivals.delete(key);
        continue;
      }
      for (let made = 0; arrivals.next <= now && made < MAX_ARRIVALS_AT_ONCE; made++) {
        const status = this.takeFailure(policy.imageId) ? 'failed' : 'provisioned';
        this.add(policy, status, arrivals.next + arrivals.provisionSeconds * 1000);
        arrivals.next += arrivals.everyMs;
      }
      if (arrivals.next <= now) arrivals.next = now + arrivals.everyMs;
    }
  }

  /** From now on, Cloud PCs provisioned on this image fail: every one (count omitted), or the next `count`. */
  failOn(imageId: string, count?: number): void {
    this.failures.set(imageId.toLowerCase(), { remaining: count ?? null });
  }

  clearFailures(): void {
    this.failures.clear();
  }

  list(): EmulatedCloudPc[] {
    const now = this.clock.now().getTime();
    return this.records.map((record) => ({
      id: record.id,
      displayName: record.displayName,
      provisioningPolicyId: record.policyId,
      provisioningPolicyName: record.policyName,
      imageId: record.imageId,
      imageDisplayName: record.imageDisplayName,
      status: record.settlesAt !== null && now < record.settlesAt ? 'provisioning' : record.status,
    }));
  }

  private takeFailure(imageId: string | null): boolean {
    const knob = imageId === null ? undefined : this.failures.get(imageId.toLowerCase());
    if (knob === undefined) return false;
    if (knob.remaining === null) return true;
    if (knob.remaining <= 0) return false;
    knob.remaining -= 1;
    return true;
  }

  private add(policy: CloudPcPolicyView, status: CloudPcStatus, settlesAt: number | null, id?: string): string {
    const record: CloudPcRecord = {
      id: id ?? this.newId(),
      displayName: `CPC-${policy.displayName.replace(/\W+/g, '').slice(0, 8)}-${String(this.records.length + 1).padStart(3, '0')}`,
      policyId: policy.id,
      policyName: policy.displayName,
      imageId: policy.imageId,
      imageDisplayName: policy.imageDisplayName,
      status,
      settlesAt,
      lastModified: this.clock.now().toISOString(),
    };
    this.records.push(record);
    return record.id;
  }
}
