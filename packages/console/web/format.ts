/** Numbers, money, dates and times as people in Japan read them (Asia/Tokyo), in either language. */
import type { Lang } from './i18n';

const locale = (lang: Lang) => (lang === 'ja' ? 'ja-JP' : 'en-GB');

export function yen(amount: number | null | undefined, lang: Lang): string {
  if (amount === null || amount === undefined) return '—';
  return new Intl.NumberFormat(locale(lang), { style: 'currency', currency: 'JPY' }).format(amount);
}

export function number(value: number, lang: Lang, digits = 0): string {
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}

export function percent(value: number, lang: Lang, digits = 1): string {
  return new Intl.NumberFormat(locale(lang), {
    style: 'percent',
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(value);
}

export function dateTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

export function time(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );
}

export function date(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  const value = iso.length === 10 ? new Date(`${iso}T00:00:00+09:00`) : new Date(iso);
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
  }).format(value);
}

/** Today in Tokyo as YYYY-MM-DD. */
export function tokyoToday(): string {
  return new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` + days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A Tokyo wall-clock date and time (`YYYY-MM-DD`, `HH:MM`) as RFC 3339 with +09:00. */
export function tokyoDateTime(day: string, hhmm: string): string {
  return `${day}T${hhmm}:00+09:00`;
}

/** An RFC 3339 instant as a Tokyo `YYYY-MM-DDTHH:MM` (the value of a datetime-local input). */
export function toTokyoLocal(iso: string): string {
  return new Date(Date.parse(iso) + 9 * 3600_000).toISOString().slice(0, 16);
}

/** A datetime-local value read as Tokyo time, as RFC 3339 with +09:00. */
export function fromTokyoLocal(local: string): string {
  return `${local.length === 16 ? `${local}:00` : local}+09:00`;
}
