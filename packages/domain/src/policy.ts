import type { Yen } from './money';

/**
 * The sharing policy's threshold: equipment acquired for ¥10,000,000 or more (取得金額1,000万円以上) should be
 * shared, and its purchase checked for duplicates. A price exactly at the threshold is covered.
 */
export const SHARING_THRESHOLD_YEN: Yen = 10_000_000;

/** The national sharing-rate (共用化率) target for 2030. */
export const SHARING_RATE_TARGET = 0.3;
