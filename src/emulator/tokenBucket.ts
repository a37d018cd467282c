// A request budget as a token bucket (how ARM and Graph throttle): each request takes a token;
// tokens refill at a steady rate up to the bucket's size.
export type BucketAnswer = { readonly granted: true } | { readonly granted: false; readonly retryAfterSeconds: number };

export class TokenBucket {
  private tokens: number;
  private refilledAtMs: number;

  constructor(
    private readonly perSecond: number,
    private readonly size: number,
    nowMs: number,
  ) {
    this.tokens = size;
    this.refilledAtMs = nowMs;
  }

  take(nowMs: number): BucketAnswer {
    this.tokens = Math.min(this.size, this.tokens + ((nowMs - this.refilledAtMs) / 1000) * this.perSecond);
    this.refilledAtMs = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { granted: true };
    }
    return { granted: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond)) };
  }
}
