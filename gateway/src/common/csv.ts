/**
 * One CSV field: quoted when it holds a comma, quote or line break; text a spreadsheet would run as a
 * formula (leading `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'`.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line of `columns`, in order, from `values` (absent columns empty). */
export function csvRow<C extends string>(
  columns: readonly C[],
  values: Partial<Record<C, string | number | boolean | null>>,
): string {
  return columns.map((c) => csvField(values[c])).join(',');
}
