import type { Identity } from '@kyoyo/auth';
import type { Logger } from '@kyoyo/server-kit';
import { createBookedPeriodsLoader, createBusyPeriodsLoader, createOpenHoursLoader } from '../availability/availability.loaders';
import { AvailabilityRepository } from '../availability/availability.repository';
import { AvailabilityService } from '../availability/availability.service';
import { createFeeScheduleLoader } from '../fees/fees.loaders';
import { FeesRepository } from '../fees/fees.repository';
import { createInstrumentLoader } from '../instruments/instruments.loaders';
import { InstrumentsRepository, type EquipmentDb } from '../instruments/instruments.repository';
import { InstrumentsService } from '../instruments/instruments.service';

/** Everything a resolver may use for one request. */
export interface EquipmentContext {
  institution: string;
  /** The end user the gateway vouches for; null for an anonymous caller. */
  identity: Identity | null;
  requestId: string;
  logger: Logger;
  instruments: InstrumentsService;
  availability: AvailabilityService;
}

/** Repositories are stateless and shared; loaders and services are built fresh for every request. */
export function createContextFactory(db: EquipmentDb, institution: string, logger: Logger) {
  const instrumentsRepository = new InstrumentsRepository(db);
  const feesRepository = new FeesRepository(db);
  const availabilityRepository = new AvailabilityRepository(db);
  return (identity: Identity | null, requestId: string): EquipmentContext => {
    const now = new Date();
    const availability = new AvailabilityService(
      createOpenHoursLoader(availabilityRepository),
      createBusyPeriodsLoader(availabilityRepository),
      createBookedPeriodsLoader(availabilityRepository),
      now,
    );
    return {
      institution,
      identity,
      requestId,
      logger: logger.child({ rid: requestId }),
      instruments: new InstrumentsService(
        institution,
        instrumentsRepository,
        createInstrumentLoader(instrumentsRepository),
        createFeeScheduleLoader(feesRepository),
        availability,
        now,
      ),
      availability,
    };
  };
}
