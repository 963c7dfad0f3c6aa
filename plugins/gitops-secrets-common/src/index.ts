/**
 * Wire types, permissions and the pure status model (health rules and
 * findings) shared by the gitops-secrets backend and frontend plugins.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './card';
export * from './conditions';
export * from './duration';
export * from './events';
export * from './mapping';
export * from './model';
export * from './objects';
export * from './paging';
export * from './permissions';
export * from './picker';
export * from './rules';
export * from './rules/fluxClasses';
export * from './rules/providerClasses';
export * from './rules/graph';
export * from './slim';
export * from './summarize';
export * from './tallies';
export * from './view';
