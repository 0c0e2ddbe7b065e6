export * from './logger';
export * from './errors';
export * from './http';
export * from './config';
export * from './scalars';
export * from './metrics';
