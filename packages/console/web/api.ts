/**
 * The console's only way to the server: the gateway's public GraphQL API (and its CSV downloads), with the
 * signed-in user's bearer token or, after an OIDC sign-in, the gateway's session cookie (same origin). Expected failures arrive as `ApiError`s carrying the contract's code.
 */
import { session } from './session';

export interface ApiProblem {
  message: string;
  code: string;
  field: string | null;
}

/** A failed call: every error the gateway gave, the first one's code and field up front. */
export class ApiError extends Error {
  readonly code: string;
  readonly field: string | null;
  constructor(readonly problems: ApiProblem[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'ApiError';
    this.code = problems[0]?.code ?? 'INTERNAL_SERVER_ERROR';
    this.field = problems[0]?.field ?? null;
  }
  /** The message for `field` (e.g. `input.start`), when the gateway named it. */
  forField(field: string): string | null {
    return this.problems.find((p) => p.field === field || p.field?.endsWith(`.${field}`))?.message ?? null;
  }
}

const networkError = (message: string) => new ApiError([{ message, code: 'NETWORK', field: null }]);

function headers(): Record<string, string> {
  const token = session.get().token;
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Runs a GraphQL operation; any error in the answer fails the call. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...headers(),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw networkError((error as Error).message);
  }
  let answer: { data?: T | null; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
  try {
    answer = (await response.json()) as typeof answer;
  } catch {
    throw networkError(`HTTP ${response.status}`);
  }
  if (answer.errors?.length) {
    const problems = answer.errors.map((e) => ({
      message: e.message,
      code: e.extensions?.code ?? 'INTERNAL_SERVER_ERROR',
      field: e.extensions?.field ?? null,
    }));
    if (problems.some((p) => p.code === 'UNAUTHENTICATED') && session.get().viewer) session.get().expire();
    throw new ApiError(problems);
  }
  if (!answer.data) throw networkError(`HTTP ${response.status}`);
  return answer.data;
}

/** Downloads a file the gateway serves beside GraphQL (CSV statements, batch verdicts) with the user's token. */
export async function download(path: string, filename: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(path, { headers: headers() });
  } catch (error) {
    throw networkError((error as Error).message);
  }
  if (!response.ok) {
    const text = await response.text();
    let problem: ApiProblem = { message: text || `HTTP ${response.status}`, code: `HTTP_${response.status}`, field: null };
    try {
      const body = JSON.parse(text) as { errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
      const first = body.errors?.[0];
      if (first)
        problem = {
          message: first.message,
          code: first.extensions?.code ?? problem.code,
          field: first.extensions?.field ?? null,
        };
    } catch {
      /* not JSON: the text is the message */
    }
    throw new ApiError([problem]);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
