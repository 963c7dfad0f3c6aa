export * from './capi';
export * from './eks';
export * from './leafTemplate';
export * from './bootstrap';
export * from './leafFlux';
export * from './selectors';
