/**
 * Versions of the entities a change feed carries: `"<xid>:<id>"`, the feed position of the entity's latest
 * change (`xid` the writing transaction, an `xid8` in decimal; `id` the change's number). Positions are
 * delivered in order, below the oldest running transaction, so a later-delivered state is never older:
 * comparing positions tells which of two states of one entity is newer.
 */
export type FeedVersion = string;

const VERSION = /^(\d{1,20}):(\d{1,19})$/;

export function feedVersion(xid: string | bigint, id: number | bigint | string): FeedVersion {
  return `${xid}:${id}`;
}

/** True when `value` is a well-formed feed version. */
export function isFeedVersion(value: unknown): value is FeedVersion {
  return typeof value === 'string' && VERSION.test(value);
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareFeedVersions(a: FeedVersion, b: FeedVersion): number {
  const [, ax, ai] = VERSION.exec(a) ?? [];
  const [, bx, bi] = VERSION.exec(b) ?? [];
  if (ax === undefined || bx === undefined) throw new Error(`not a feed version: ${ax === undefined ? a : b}`);
  const x = BigInt(ax) - BigInt(bx);
  if (x !== 0n) return x < 0n ? -1 : 1;
  const i = BigInt(ai!) - BigInt(bi!);
  return i === 0n ? 0 : i < 0n ? -1 : 1;
}
