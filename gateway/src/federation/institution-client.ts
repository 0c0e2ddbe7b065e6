import { signServiceToken, type Identity, type KeyPair } from '@kyoyo/auth';
import { DomainError, ErrorCode, isErrorCode } from '@kyoyo/domain';
import type { Logger } from '@kyoyo/server-kit';
import type { InstitutionRegistry } from '../registry/registry';
import { CircuitBreaker } from './circuit-breaker';

/** Who a call to an institution is made for. */
export interface CallContext {
  identity: Identity | null;
  requestId: string;
}

export interface InstitutionClientOptions {
  /** Time budget of one call, in milliseconds. */
  timeoutMs: number;
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  /** Hears how every call ended (the metrics); unlike `observer`, set once and for good. */
  onOutcome?: OutcomeObserver;
}

/**
 * How a call to an institution ended: `ok` (data), `rejected` (the service refused the request with a Kyoyo
 * error code: the caller's input, rights or a taken slot; the institution is fine), `error` (it answered
 * HTTP 5xx/401/403, something that is not a GraphQL answer, an internal error or no data), `timeout` (no
 * answer within the budget), `unreachable` (no connection), `circuit_open` (not called: its circuit is open).
 */
export type CallOutcome = 'ok' | 'rejected' | 'error' | 'timeout' | 'unreachable' | 'circuit_open';

/** Hears the outcome of every call to a member institution and its duration in seconds (0 when not called). */
export interface OutcomeObserver {
  (institution: string, outcome: CallOutcome, seconds: number): void;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } }[];
}

/** Counts calls per institution; tests use it to prove that a page costs one call per institution. */
export interface CallObserver {
  (institution: string, operationName: string): void;
}

/**
 * Calls institutions' equipment services: one signed, short-lived token per call (audience = the
 * institution, carrying the end user), a time budget per call, a circuit breaker per institution, and the
 * registry's health updated by every outcome. Calls are never retried, so a mutation runs at most once.
 */
export class InstitutionClient {
  private readonly breakers = new Map<string, CircuitBreaker>();
  observer: CallObserver | undefined;

  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly signingKey: KeyPair,
    private readonly options: InstitutionClientOptions,
    private readonly logger: Logger,
  ) {}

  /** The state of `code`'s circuit (closed until a call to it fails). */
  circuitState(code: string): CircuitBreaker['state'] {
    return this.breakers.get(code)?.state ?? 'CLOSED';
  }

  private breakerOf(code: string): CircuitBreaker {
    let breaker = this.breakers.get(code);
    if (!breaker) {
      breaker = new CircuitBreaker(this.options.breakerThreshold, this.options.breakerCooldownMs);
      this.breakers.set(code, breaker);
    }
    return breaker;
  }

  /**
   * Runs `document` at `institution` and returns its data. An institution that is unknown, has an open
   * circuit, times out or fails at the transport level answers `INSTITUTION_UNAVAILABLE`; an error the
   * service reports with a Kyoyo code is rethrown with that code (and field).
   */
  async request<T>(
    institution: string,
    operationName: string,
    document: string,
    variables: Record<string, unknown>,
    call: CallContext,
    /**
     * A longer budget than the default, for the rare long operation (imports, long polls); a signal to give up
     * early; `background` for calls no request made (not shown to `observer`).
     */
    options: { timeoutMs?: number; signal?: AbortSignal; background?: boolean } = {},
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const entry = this.registry.get(institution);
    if (!entry) throw new DomainError(ErrorCode.NOT_FOUND, `No member institution has the code ${institution}`);
    const breaker = this.breakerOf(institution);
    if (!breaker.tryAcquire()) {
      this.options.onOutcome?.(institution, 'circuit_open', 0);
      this.registry.markDown(institution, 'circuit open');
      throw this.unavailable(institution, 'is not answering (its last calls failed); the gateway will try it again shortly');
    }
    // The observer counts what requests cost; background work (the catalogue's harvest) is not a request's.
    if (!options.background) this.observer?.(institution, operationName);
    const started = performance.now();
    const ended = (outcome: CallOutcome) => this.options.onOutcome?.(institution, outcome, (performance.now() - started) / 1000);
    let body: GraphQLResponse<T>;
    try {
      const token = await signServiceToken(call, institution, this.signingKey);
      const response = await fetch(new URL('/graphql', entry.serviceUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'x-request-id': call.requestId,
        },
        body: JSON.stringify({ query: document, variables, operationName }),
        signal: options.signal
          ? AbortSignal.any([AbortSignal.timeout(timeoutMs), options.signal])
          : AbortSignal.timeout(timeoutMs),
      });
      if (response.status >= 500 || response.status === 401 || response.status === 403) {
        throw new Error(`HTTP ${response.status}`);
      }
      body = (await response.json()) as GraphQLResponse<T>;
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      // fetch fails with a TypeError when no connection could be made or kept.
      ended(timedOut ? 'timeout' : error instanceof TypeError ? 'unreachable' : 'error');
      breaker.failure();
      this.registry.markDown(institution, (error as Error).message);
      this.logger.warn('institution call failed', {
        rid: call.requestId,
        institution,
        operation: operationName,
        ms: Math.round(performance.now() - started),
        error: (error as Error).message,
      });
      throw this.unavailable(institution, timedOut ? `did not answer within ${timeoutMs} ms` : 'could not be reached');
    }
    breaker.success();
    this.registry.markUp(institution);
    const [first] = body.errors ?? [];
    if (first) {
      const code = first.extensions?.code;
      if (isErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
        ended('rejected');
        throw new DomainError(code, first.message, first.extensions?.field);
      }
      if (code === 'GRAPHQL_VALIDATION_FAILED') {
        // Version skew during an upgrade: the gateway asks for what this institution's service does not
        // have yet. That institution is unavailable for this request; the others still answer.
        ended('error');
        this.logger.warn('institution does not understand the request (older service version?)', {
          rid: call.requestId,
          institution,
          operation: operationName,
          error: first.message,
        });
        throw this.unavailable(institution, 'does not understand this request yet (its service may be an older version)');
      }
      ended('error');
      this.logger.error('institution answered an error', {
        rid: call.requestId,
        institution,
        operation: operationName,
        error: first,
      });
      throw new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, `${institution} could not answer`);
    }
    if (!body.data) {
      ended('error');
      throw this.unavailable(institution, 'answered without data');
    }
    ended('ok');
    return body.data;
  }

  private unavailable(institution: string, why: string): DomainError {
    return new DomainError(ErrorCode.INSTITUTION_UNAVAILABLE, `${institution} ${why}`);
  }
}

/** The answers of the institutions that answered, and the ones that did not. */
export interface FanOutResult<T, I> {
  answered: { institution: I; value: T }[];
  unavailable: I[];
}

/**
 * Runs `call` for every institution in parallel. Institutions that are unavailable are listed, not fatal;
 * any other error (bad input that every institution would refuse) is rethrown.
 */
export async function fanOut<T, I extends { code: string }>(
  institutions: readonly I[],
  call: (institution: I) => Promise<T>,
): Promise<FanOutResult<T, I>> {
  const settled = await Promise.allSettled(institutions.map((i) => call(i)));
  const result: FanOutResult<T, I> = { answered: [], unavailable: [] };
  settled.forEach((outcome, index) => {
    const institution = institutions[index]!;
    if (outcome.status === 'fulfilled') result.answered.push({ institution, value: outcome.value });
    else if (outcome.reason instanceof DomainError && outcome.reason.code === ErrorCode.INSTITUTION_UNAVAILABLE)
      result.unavailable.push(institution);
    else throw outcome.reason;
  });
  return result;
}
