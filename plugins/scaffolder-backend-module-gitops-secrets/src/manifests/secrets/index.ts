/*
 * Typed manifests for ESO on Flux, serialised with `yaml`, and the layout
 * the secrets actions write.
 */
export * from './constants';
export * from './types';
export * from './yaml';
export * from './flux';
export * from './eso';
export * from './layout';
export * from './bootstrap';
export * from './externalSecret';
