/** The gateway's field problems (`extensions.field`) placed at the form field or batch row they are about. */
import type { ApiError } from '../../api';

/**
 * The gateway's message for `name` of the proposal at `path` (`input` for one check, `inputs[3]` for a batch's
 * fourth), including its parts (`input.keywords[2]` is about `keywords`).
 */
export function problemAt(error: ApiError | null, path: string, name: string): string | null {
  const field = `${path}.${name}`;
  return error?.problems.find((p) => p.field === field || p.field?.startsWith(`${field}[`))?.message ?? null;
}

/** Which proposal of a batch a problem is about (0-based), from a field like `inputs[3].title`; null for the batch itself. */
export function batchIndexOf(field: string | null): number | null {
  const found = field ? /^inputs\[(\d+)\]/.exec(field) : null;
  return found ? Number(found[1]) : null;
}
