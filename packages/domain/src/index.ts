export * from './errors';
export * from './ids';
export * from './money';
export * from './fees';
export * from './time';
export * from './cancellation';
export * from './text';
export * from './geo';
