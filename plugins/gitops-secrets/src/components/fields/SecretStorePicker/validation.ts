import type { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import type {
  SecretStorePickerUiOptions,
  SecretStoreRef,
} from './SecretStorePicker';
import {
  DEFAULT_CLUSTER_FIELD,
  DEFAULT_NAMESPACE_FIELD,
  storeKey,
} from './SecretStorePicker';
import { allPickerClusters, apiFrom, clusterOfRef, readAll } from '../shared';

const KINDS = ['ClusterSecretStore', 'SecretStore'];

/**
 * The value must be `{ kind, name }` of a store on the chosen cluster: a ClusterSecretStore, or a SecretStore in the
 * ExternalSecret's namespace (ESO resolves a SecretStore in the ExternalSecret's own namespace only). A store that is
 * not Ready passes: the field itself warns.
 */
export const validateSecretStore: CustomFieldValidator<
  SecretStoreRef,
  SecretStorePickerUiOptions
> = async (value, validation, context) => {
  if (value === undefined) return;
  if (
    typeof value !== 'object' ||
    !KINDS.includes(value.kind) ||
    typeof value.name !== 'string' ||
    !value.name
  ) {
    validation.addError(
      `A store is { kind, name } with kind one of ${KINDS.join(', ')}`,
    );
    return;
  }
  const api = apiFrom(context.apiHolder);
  const options = context.uiSchema?.['ui:options'] ?? {};
  const clusterRef =
    context.formData[options.clusterField ?? DEFAULT_CLUSTER_FIELD];
  const namespace =
    context.formData[options.namespaceField ?? DEFAULT_NAMESPACE_FIELD];
  if (value.kind === 'SecretStore' && !namespace) {
    validation.addError(
      `SecretStore ${value.name}: a SecretStore serves its own namespace only; set the namespace first or choose a ClusterSecretStore`,
    );
    return;
  }
  if (!api || typeof clusterRef !== 'string' || !clusterRef) return;
  const cluster = clusterOfRef(await allPickerClusters(api), clusterRef);
  if (!cluster) return; // the cluster field reports it
  const stores = await readAll(q =>
    api.pickerStores(cluster.name, {
      ...q,
      ...(typeof namespace === 'string' && namespace ? { namespace } : {}),
    }),
  );
  if (stores.some(s => storeKey(s) === storeKey(value))) return;
  validation.addError(
    `${storeKey(value)} is not on cluster ${cluster.name}${
      namespace ? ` for namespace ${namespace}` : ''
    }; there: ${stores.length ? stores.map(storeKey).join(', ') : 'none'}`,
  );
};
