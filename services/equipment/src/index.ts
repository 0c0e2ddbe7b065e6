export { createEquipmentApp, type EquipmentApp, type EquipmentAppOptions } from './app';
export { loadConfig, type EquipmentConfig } from './config';
export { createSchema } from './schema';
export { InstrumentsRepository } from './instruments/instruments.repository';
export { searchColumnsOf } from '@kyoyo/domain';
export { BookingsRepository } from './bookings/bookings.repository';
export { toCriteria, toListing, type InstrumentInput, type LocalSearchInput } from './instruments/instruments.service';
export { AvailabilityRepository } from './availability/availability.repository';
export { DuplicatesService } from './duplicates/duplicates.service';
