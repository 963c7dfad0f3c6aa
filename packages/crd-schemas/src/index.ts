export * from './crds';
export * from './validate';
