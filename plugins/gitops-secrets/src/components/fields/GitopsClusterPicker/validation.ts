import type { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import type { GitopsClusterPickerUiOptions } from './GitopsClusterPicker';
import {
  allPickerClusters,
  apiFrom,
  canonicalRef,
  clusterOfRef,
} from '../shared';

/**
 * The chosen value must be the catalog entity of a cluster the backend offers (with the `eso` filter): a prefilled
 * or stale value that is not is named with what is allowed, before the template runs.
 */
export const validateGitopsCluster: CustomFieldValidator<
  string,
  GitopsClusterPickerUiOptions
> = async (value, validation, context) => {
  if (value === undefined || value === '') return;
  if (!canonicalRef(value)) {
    validation.addError(
      `'${value}' is not a catalog entity ref (kind:namespace/name of a kubernetes-cluster Resource)`,
    );
    return;
  }
  const api = apiFrom(context.apiHolder);
  if (!api) return;
  const eso = context.uiSchema?.['ui:options']?.eso;
  const clusters = await allPickerClusters(api, eso);
  if (clusterOfRef(clusters, value)) return;
  const offered = clusters.filter(c => c.entityRef).map(c => c.entityRef);
  validation.addError(
    `${value} is not a cluster the gitops-secrets backend offers${
      eso ? ` with ESO ${eso}` : ''
    }; choose one of: ${offered.length ? offered.join(', ') : 'none'}`,
  );
};
