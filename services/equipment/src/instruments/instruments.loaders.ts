import DataLoader from 'dataloader';
import type { Instrument } from './instruments.types';
import type { InstrumentsRepository } from './instruments.repository';

/** Per request: listed instruments by id, `null` for ids that name none; one query per batch. */
export function createInstrumentLoader(repository: InstrumentsRepository): DataLoader<number, Instrument | null> {
  return new DataLoader(async (ids) => {
    const found = new Map((await repository.findByIds(ids)).map((i) => [i.id, i]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
