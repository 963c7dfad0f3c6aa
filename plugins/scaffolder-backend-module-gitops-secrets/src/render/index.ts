/*
 * A WGE-compatible renderer for CAPITemplate / GitOpsTemplate: parameter validation,
 * `envsubst` and `templating` render types, schema-driven typing, validation of the result.
 */
export * from './template';
export * from './validateRendered';
export {
  parseEnvsubst,
  evalEnvsubst,
  envsubstVariables,
  EnvsubstSyntaxError,
} from './envsubst';
export {
  parseGoTemplate,
  evalGoTemplate,
  goTemplateParams,
  GoTemplateError,
  GO_TEMPLATE_FUNCTIONS,
} from './goTemplate';
export { coerceToSchema, schemaFor, scopeOf } from './schemaTypes';
export type { Coercion } from './schemaTypes';
