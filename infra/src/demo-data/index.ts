/**
 * Deterministic demo data for the federation that `npm start` seeds: institutions, instruments with
 * fee schedules and open hours, and a year of past bookings.
 */
export type { DemoBooking, DemoInstitution, DemoInstitutionData, DemoInstrument, DemoOptions } from './types';
export {
  DEFAULT_DEMO_SEED,
  DEFAULT_INSTITUTION_COUNT,
  DEFAULT_INSTRUMENTS_PER_INSTITUTION,
  MAX_ACQUISITION_PRICE,
  MIN_ACQUISITION_PRICE,
  demoFederationMembers,
  generateDemoFederation,
  generateInstitution,
} from './generate';
export { DEMO_COMPANIES, DEMO_INSTITUTIONS, toDemoInstitution } from './institutions';
export type { DemoInstitutionProfile, SchoolStyle } from './institutions';
export { DEMO_CATEGORY_NAMES, INSTRUMENT_TEMPLATES, MAKERS } from './catalogue';
export type { DemoCategoryName, Family, InstrumentTemplate, Maker, ModelSpec } from './catalogue';
export { OPEN_HOURS_PROFILES } from './open-hours';
export type { OpenHoursProfile } from './open-hours';
