// A small in-process token bucket for the MIS push API: each name (an address, a key) holds up to
// `burst` tokens, refilled at one per `refillMs`; a request takes one or is told how long to wait.
// In process on purpose: pushes are rare and come from a few integrators, so a restart forgetting
// the buckets costs nothing, and no database work is spent on a request about to be refused. To
// change safely: keep `take` constant-time per call and the map bounded (full buckets are dropped).

export type Take = { ok: true } | { ok: false; retryAfterSeconds: number };

type Bucket = { tokens: number; at: number };

const MAX_NAMES = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  private readonly burst: number;
  private readonly refillMs: number;
  private readonly now: () => number;

  constructor(burst: number, refillMs: number, now: () => number = Date.now) {
    this.burst = burst;
    this.refillMs = refillMs;
    this.now = now;
  }

  take(name: string): Take {
    const now = this.now();
    const b = this.level(this.buckets.get(name), now);
    if (b.tokens >= 1) {
      this.buckets.set(name, { tokens: b.tokens - 1, at: now });
      this.prune(now);
      return { ok: true };
    }
    this.buckets.set(name, b);
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil(((1 - b.tokens) * this.refillMs) / 1000)),
    };
  }

  private level(b: Bucket | undefined, now: number): Bucket {
    if (!b) return { tokens: this.burst, at: now };
    const tokens = Math.min(this.burst, b.tokens + Math.max(0, now - b.at) / this.refillMs);
    return { tokens, at: now };
  }

  /** Keeps the map bounded: a bucket that has refilled is the same as no bucket. */
  private prune(now: number): void {
    if (this.buckets.size <= MAX_NAMES) return;
    for (const [name, b] of this.buckets) {
      if (this.level(b, now).tokens >= this.burst) this.buckets.delete(name);
    }
    // Still too many (a flood of fresh names): forget the oldest, which have refilled most.
    for (const name of this.buckets.keys()) {
      if (this.buckets.size <= MAX_NAMES) break;
      this.buckets.delete(name);
    }
  }
}
