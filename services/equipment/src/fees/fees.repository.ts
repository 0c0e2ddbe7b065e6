import { asc, inArray } from 'drizzle-orm';
import { equipmentSchema } from '@kyoyo/db';
import type { FeeRate } from '@kyoyo/domain';
import type { EquipmentDb } from '../instruments/instruments.repository';

const { feeRatesTable: t } = equipmentSchema;

/** Fee schedules. */
export class FeesRepository {
  constructor(private readonly db: EquipmentDb) {}

  /** The schedules of these instruments, keyed by instrument id (absent: no rates). */
  async schedulesOf(instrumentIds: readonly number[]): Promise<Map<number, FeeRate[]>> {
    const byInstrument = new Map<number, FeeRate[]>();
    if (instrumentIds.length === 0) return byInstrument;
    const rows = await this.db
      .select()
      .from(t)
      .where(inArray(t.instrumentId, [...instrumentIds]))
      .orderBy(asc(t.instrumentId), asc(t.userCategory), asc(t.mode));
    for (const { instrumentId, ...rate } of rows) {
      const list = byInstrument.get(instrumentId) ?? [];
      list.push(rate);
      byInstrument.set(instrumentId, list);
    }
    return byInstrument;
  }
}
