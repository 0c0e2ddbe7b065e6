/**
 * A small circuit breaker per institution: after `threshold` consecutive failures the circuit opens and
 * calls fail at once for `cooldownMs`; then one trial call is let through (half-open), and its outcome
 * closes or reopens the circuit. It keeps a dead institution from costing every request its time budget.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(
    private readonly threshold = 3,
    private readonly cooldownMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a call may go out now; in half-open state only one trial call at a time. */
  tryAcquire(): boolean {
    if (this.openedAt === null) return true;
    if (this.now() - this.openedAt < this.cooldownMs || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  get state(): 'CLOSED' | 'OPEN' | 'HALF_OPEN' {
    if (this.openedAt === null) return 'CLOSED';
    return this.now() - this.openedAt < this.cooldownMs ? 'OPEN' : 'HALF_OPEN';
  }

  success(): void {
    this.failures = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  failure(): void {
    this.trialInFlight = false;
    this.failures += 1;
    if (this.openedAt !== null || this.failures >= this.threshold) this.openedAt = this.now();
  }
}
