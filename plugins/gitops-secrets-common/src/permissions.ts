import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Reading the GitOps secrets status of an entity (the clusters it runs on, the
 * ExternalSecrets, stores and Flux objects behind it). A resource permission on
 * the catalog entity, so policies can allow it per owner or per kind.
 *
 * @public
 */
export const gitopsSecretsStatusReadPermission = createPermission({
  name: 'gitops-secrets.status.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Every permission of the gitops-secrets plugins, for the backend to register.
 *
 * @public
 */
export const gitopsSecretsPermissions = [gitopsSecretsStatusReadPermission];
