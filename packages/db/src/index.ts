export * from './client';
export * from './migrate';
export * from './admin';
export * from './constraint-errors';
export * from './tstzrange';
export * as equipmentSchema from './equipment/schema';
export * from './embedded';
