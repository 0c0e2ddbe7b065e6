import type { Counter, Histogram, Metrics } from '@kyoyo/server-kit';
import type { InstitutionRegistry } from '../registry/registry';
import type { CallOutcome, InstitutionClient, OutcomeObserver } from './institution-client';

/** `kyoyo_gateway_circuit_state`'s values. */
const CIRCUIT_STATE: Record<ReturnType<InstitutionClient['circuitState']>, number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

/**
 * The gateway's fan-out in its metrics: every call to an institution by outcome and duration, and, read from
 * the registry and the circuit breakers at every scrape, each member's circuit and health. The `institution`
 * label takes the registry's codes only (an unknown code is refused before any call).
 */
export class FederationMetrics {
  private readonly calls: Counter<'institution' | 'outcome'>;
  private readonly durations: Histogram<'institution' | 'outcome'>;

  constructor(private readonly metrics: Metrics) {
    this.calls = metrics.counter(
      'institution_calls_total',
      'Calls to member institutions by outcome: ok, rejected (refused with a Kyoyo error code), error, timeout, unreachable, circuit_open (not made).',
      ['institution', 'outcome'],
    );
    this.durations = metrics.histogram(
      'institution_call_duration_seconds',
      'Duration of the calls made to member institutions, until their answer was read or they failed, by outcome.',
      ['institution', 'outcome'],
    );
  }

  /** For `InstitutionClientOptions.onOutcome`. */
  readonly record: OutcomeObserver = (institution: string, outcome: CallOutcome, seconds: number) => {
    this.calls.inc({ institution, outcome });
    if (outcome !== 'circuit_open') this.durations.observe({ institution, outcome }, seconds);
  };

  /** Adds the gauges read at scrape time: each member's circuit state and health. */
  watch(registry: InstitutionRegistry, client: InstitutionClient): void {
    this.metrics.gauge(
      'circuit_state',
      'State of the circuit breaker of each member institution: 0 closed, 1 half-open (one trial call allowed), 2 open (calls fail at once).',
      ['institution'],
      function () {
        this.reset();
        for (const { code } of registry.all()) this.set({ institution: code }, CIRCUIT_STATE[client.circuitState(code)]);
      },
    );
    this.metrics.gauge(
      'institution_up',
      'Whether the gateway last saw each member institution answer (1) or fail (0), from calls and the periodic probe.',
      ['institution'],
      function () {
        this.reset();
        for (const { code } of registry.all()) this.set({ institution: code }, registry.health(code) === 'UP' ? 1 : 0);
      },
    );
  }
}
