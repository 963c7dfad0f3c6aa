import { useApi } from '@backstage/core-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { gitopsSecretsApiRef } from '../../../api';
import type { PickerStore } from '../../../api';
import { PickerSelect } from '../PickerSelect';
import {
  allPickerClusters,
  clusterOfRef,
  readAll,
  siblingValue,
  useLoad,
} from '../shared';

/** `ui:options` of the SecretStorePicker. @public */
export type SecretStorePickerUiOptions = {
  /** The field holding the cluster's entity ref (a GitopsClusterPicker); default `cluster`. */
  clusterField?: string;
  /** The field holding the ExternalSecret's namespace, whose SecretStores are offered; default `namespace`. */
  namespaceField?: string;
};

/** The value: what an ExternalSecret's `spec.secretStoreRef` (and the action's `storeRef`) needs. @public */
export interface SecretStoreRef {
  kind: 'ClusterSecretStore' | 'SecretStore';
  name: string;
}

export const DEFAULT_CLUSTER_FIELD = 'cluster';
export const DEFAULT_NAMESPACE_FIELD = 'namespace';

/** `kind/name`: one string per store for the select (a SecretStore and a ClusterSecretStore may share a name). */
export const storeKey = (s: { kind: string; name: string }) =>
  `${s.kind}/${s.name}`;

/** `SecretStore · aws · Ready`, or the reason a store is not ready. */
export function describeStore(s: PickerStore): string {
  const parts = [
    s.kind === 'SecretStore' && s.namespace
      ? `SecretStore in ${s.namespace}`
      : s.kind,
    s.provider ?? 'provider unknown',
    s.ready
      ? 'Ready'
      : `Not ready${s.reason ? ` (${s.reason})` : ''}${
          s.message ? `: ${s.message}` : ''
        }`,
  ];
  return parts.join(' · ');
}

/**
 * The secret stores on the cluster chosen in a sibling field: its ClusterSecretStores and the SecretStores of the
 * namespace in another sibling field, each with kind, provider and Ready state. A store that is not Ready stays
 * selectable (the ExternalSecret syncs once the store recovers) but is marked, and chosen it says why it is not.
 */
export function SecretStorePicker(
  props: FieldExtensionComponentProps<
    SecretStoreRef,
    SecretStorePickerUiOptions
  >,
) {
  const {
    formData,
    onChange,
    required,
    disabled,
    rawErrors,
    schema,
    uiSchema,
    idSchema,
    formContext,
  } = props;
  const api = useApi(gitopsSecretsApiRef);
  const options = uiSchema?.['ui:options'] ?? {};
  const clusterRef = siblingValue(
    formContext,
    options.clusterField ?? DEFAULT_CLUSTER_FIELD,
  );
  const namespaceValue = siblingValue(
    formContext,
    options.namespaceField ?? DEFAULT_NAMESPACE_FIELD,
  );
  const namespace =
    typeof namespaceValue === 'string' && namespaceValue
      ? namespaceValue
      : undefined;

  const { loading, value, error } = useLoad(
    typeof clusterRef === 'string' && clusterRef
      ? async signal => {
          const cluster = clusterOfRef(
            await allPickerClusters(api, undefined, signal),
            clusterRef,
          );
          if (!cluster)
            throw new Error(
              `${clusterRef} is not a cluster the gitops-secrets backend watches`,
            );
          // Each page also says whether the backend could read the cluster at all.
          let reachable = true;
          const stores = await readAll(async q => {
            const page = await api.pickerStores(
              cluster.name,
              { ...q, ...(namespace ? { namespace } : {}) },
              { signal },
            );
            if (page.reachable === false) reachable = false;
            return page;
          });
          return { cluster: cluster.name, reachable, stores };
        }
      : undefined,
    [api, clusterRef, namespace],
  );
  const stores = value?.stores ?? [];
  const id = idSchema?.$id ?? 'secret-store-picker';
  const selectedKey = formData?.name ? storeKey(formData) : '';
  const chosen = stores.find(s => storeKey(s) === selectedKey);
  const orphan = selectedKey && !chosen && !loading ? selectedKey : undefined;

  let helper: string;
  if (!clusterRef) helper = 'Choose the cluster first';
  else if (error) helper = `Could not list the stores: ${error}`;
  else if (loading) helper = 'Loading stores…';
  else if (chosen)
    helper = chosen.ready
      ? describeStore(chosen)
      : `Warning: this store is not Ready, the ExternalSecret will not sync until it is. ${describeStore(
          chosen,
        )}`;
  else if (orphan)
    helper = `${orphan} is not on ${value?.cluster}${
      namespace ? ` (for namespace ${namespace})` : ''
    }`;
  else if (!stores.length && value?.reachable === false)
    helper = `${value.cluster} is not reachable: its stores are not known yet`;
  else if (!stores.length)
    helper = `No ClusterSecretStore on ${value?.cluster}${
      namespace ? `, and no SecretStore in ${namespace}` : ''
    }`;
  else helper = schema.description ?? '';

  return (
    <PickerSelect
      id={id}
      label={schema.title ?? 'Secret store'}
      testId="secret-store-picker"
      required={required}
      disabled={disabled || !clusterRef || (loading && !formData)}
      value={chosen ? selectedKey : orphan ?? ''}
      error={!!error || !!orphan || !!rawErrors?.length}
      helperText={helper}
      alert={!!chosen && !chosen.ready}
      options={stores.map(s => ({
        value: storeKey(s),
        primary: s.name,
        secondary: describeStore(s),
      }))}
      orphan={
        orphan ? { value: orphan, secondary: 'Not on this cluster' } : undefined
      }
      renderValue={v => {
        const s = stores.find(x => storeKey(x) === v);
        return s ? `${s.name} (${s.kind}${s.ready ? '' : ', not Ready'})` : v;
      }}
      onChange={v => {
        const store = stores.find(s => storeKey(s) === v);
        onChange(store ? { kind: store.kind, name: store.name } : undefined);
      }}
    />
  );
}
