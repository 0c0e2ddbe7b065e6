import DataLoader from 'dataloader';
import type { FeeRate } from '@kyoyo/domain';
import type { FeesRepository } from './fees.repository';

/** Per request: fee schedules by instrument id, one query per batch. */
export function createFeeScheduleLoader(repository: FeesRepository): DataLoader<number, FeeRate[]> {
  return new DataLoader(async (ids) => {
    const schedules = await repository.schedulesOf(ids);
    return ids.map((id) => schedules.get(id) ?? []);
  });
}
