import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import type { PickerCluster } from '../../../api';
import { PickerSelect } from '../PickerSelect';
import {
  canonicalRef,
  clusterOfRef,
  describeCluster,
  usePickerClusters,
} from '../shared';

/** `ui:options` of the GitopsClusterPicker. @public */
export type GitopsClusterPickerUiOptions = {
  /** Offer only clusters where External Secrets Operator is installed, or only those without it. */
  eso?: 'installed' | 'absent';
};

/** Why a cluster cannot be chosen, or undefined when it can. */
export function unselectableReason(c: PickerCluster): string | undefined {
  return c.entityRef
    ? undefined
    : 'Not selectable: no catalog entity (a kubernetes-cluster Resource with gitops-secrets.io/cluster-name) names this cluster';
}

/**
 * A cluster field: the clusters the gitops-secrets backend watches, each with its live health, Flux and ESO state.
 * The value is the cluster's catalog entity ref, so `catalog:fetch` steps read its folder annotation as before.
 */
export function GitopsClusterPicker(
  props: FieldExtensionComponentProps<string, GitopsClusterPickerUiOptions>,
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
  } = props;
  const eso = uiSchema?.['ui:options']?.eso;
  const { loading, value: clusters = [], error } = usePickerClusters(eso);
  const id = idSchema?.$id ?? 'gitops-cluster-picker';
  const chosen = clusterOfRef(clusters, formData);
  // A prefilled value (e.g. the card's link) that is not offered stays visible, and validation says why.
  const orphan = formData && !chosen && !loading ? formData : undefined;

  let helper: string;
  if (error) helper = `Could not list the clusters: ${error}`;
  else if (loading) helper = 'Loading clusters…';
  else if (chosen) helper = describeCluster(chosen);
  else if (orphan)
    helper = `${orphan} is not offered here${
      eso ? ` (only clusters where ESO is ${eso})` : ''
    }`;
  else if (!clusters.length)
    helper = eso
      ? `No cluster where ESO is ${eso}`
      : 'The gitops-secrets backend watches no cluster you may read';
  else helper = schema.description ?? '';

  return (
    <PickerSelect
      id={id}
      label={schema.title ?? 'Cluster'}
      testId="gitops-cluster-picker"
      required={required}
      disabled={disabled || (loading && !formData)}
      value={chosen?.entityRef ?? orphan ?? ''}
      error={!!error || !!orphan || !!rawErrors?.length}
      helperText={helper}
      options={clusters.map(c => {
        const reason = unselectableReason(c);
        return {
          key: c.name,
          value: c.entityRef ?? `unselectable:${c.name}`,
          primary: c.name,
          secondary: reason ?? describeCluster(c),
          disabled: !!reason,
        };
      })}
      orphan={orphan ? { value: orphan, secondary: 'Not offered' } : undefined}
      renderValue={v =>
        clusters.find(c => canonicalRef(c.entityRef) === canonicalRef(v))
          ?.name ?? v
      }
      onChange={v => onChange(v || undefined)}
    />
  );
}
