import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { gitopsSecretsApiRef } from '../../../api';
import type { PickerTemplate } from '../../../api';
import { PickerSelect } from '../PickerSelect';
import {
  allPickerClusters,
  allPickerTemplates,
  clusterOfRef,
  siblingValue,
  useLoad,
} from '../shared';

/** `ui:options` of the ClusterTemplatePicker. @public */
export type ClusterTemplatePickerUiOptions = {
  /** The field holding the management cluster's entity ref (a GitopsClusterPicker); default `managementCluster`. */
  clusterField?: string;
};

/**
 * The value: the chosen template and a value per declared parameter, what `gitops:cluster:create-leaf` takes as
 * `templateName` and `parameters`. @public
 */
export type ClusterTemplateValue = {
  name: string;
  kind: PickerTemplate['kind'];
  parameters: Record<string, string>;
};

export const DEFAULT_MANAGEMENT_FIELD = 'managementCluster';

/** One template per kind and name (a CAPITemplate and a GitOpsTemplate may share a name). */
export const templateKey = (t: { kind: string; name: string }) =>
  `${t.kind}/${t.name}`;

/** The declared defaults: what a newly chosen template's parameters start with. */
export function defaultParameters(t: PickerTemplate): Record<string, string> {
  return Object.fromEntries(
    t.params
      .filter(p => p.default !== undefined && p.default !== '')
      .map(p => [p.name, p.default!]),
  );
}

function describeTemplate(t: PickerTemplate): string {
  const where =
    t.source === 'cluster'
      ? 'on the cluster'
      : `in the repository${t.path ? ` (${t.path})` : ''}`;
  const params = `${t.params.length} parameter${
    t.params.length === 1 ? '' : 's'
  }`;
  return [t.kind, where, params, t.description].filter(Boolean).join(' · ');
}

/**
 * The CAPITemplates and GitOpsTemplates of the management cluster chosen in a sibling field, and the chosen
 * template's declared parameters as inputs: required ones marked, `options` as a choice, the description as help,
 * the default prefilled. Only declared parameters are sent.
 */
export function ClusterTemplatePicker(
  props: FieldExtensionComponentProps<
    ClusterTemplateValue,
    ClusterTemplatePickerUiOptions
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
  const clusterRef = siblingValue(
    formContext,
    uiSchema?.['ui:options']?.clusterField ?? DEFAULT_MANAGEMENT_FIELD,
  );
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
          return {
            cluster: cluster.name,
            ...(await allPickerTemplates(api, cluster.name, signal)),
          };
        }
      : undefined,
    [api, clusterRef],
  );
  const templates = value?.items ?? [];
  const id = idSchema?.$id ?? 'cluster-template-picker';
  const selectedKey = formData?.name ? templateKey(formData) : '';
  const chosen = templates.find(t => templateKey(t) === selectedKey);
  const orphan = selectedKey && !chosen && !loading ? selectedKey : undefined;
  const parameters = formData?.parameters ?? {};

  let helper: string;
  if (!clusterRef) helper = 'Choose the management cluster first';
  else if (error) helper = `Could not list the templates: ${error}`;
  else if (loading) helper = 'Loading templates…';
  else if (chosen) helper = describeTemplate(chosen);
  else if (orphan) helper = `${orphan} is not a template of ${value?.cluster}`;
  else if (!templates.length)
    helper =
      value?.message ??
      `No CAPITemplate or GitOpsTemplate on ${value?.cluster} or in its folder`;
  else
    helper =
      schema.description ??
      (value?.source === 'repository'
        ? 'Read from the repository: the cluster is not reachable'
        : '');

  const setParameter = (name: string, v: string) => {
    if (!formData) return;
    const next = { ...parameters };
    if (v === '') delete next[name];
    else next[name] = v;
    onChange({ ...formData, parameters: next });
  };

  return (
    <Box>
      <PickerSelect
        id={id}
        label={schema.title ?? 'Template'}
        testId="cluster-template-picker"
        required={required}
        disabled={disabled || !clusterRef || (loading && !formData)}
        value={chosen ? selectedKey : orphan ?? ''}
        error={!!error || !!orphan || !!rawErrors?.length}
        helperText={helper}
        options={templates.map(t => ({
          value: templateKey(t),
          primary: t.name,
          secondary: describeTemplate(t),
        }))}
        orphan={
          orphan ? { value: orphan, secondary: 'Not offered' } : undefined
        }
        renderValue={v => templates.find(x => templateKey(x) === v)?.name ?? v}
        onChange={v => {
          const t = templates.find(x => templateKey(x) === v);
          onChange(
            t
              ? { name: t.name, kind: t.kind, parameters: defaultParameters(t) }
              : undefined,
          );
        }}
      />
      {chosen && (
        <Box
          component="fieldset"
          border={0}
          p={0}
          m={0}
          aria-describedby={`${id}-params-help`}
        >
          <Typography component="legend" variant="subtitle1">
            Parameters of {chosen.name}
          </Typography>
          <Typography
            id={`${id}-params-help`}
            variant="body2"
            color="textSecondary"
          >
            {chosen.params.length
              ? 'What the template declares; required ones are marked *.'
              : 'This template declares no parameters.'}
          </Typography>
          {chosen.params.map(p => (
            <TextField
              key={p.name}
              id={`${id}-param-${p.name}`}
              select={!!p.options?.length}
              fullWidth
              margin="normal"
              label={p.name}
              required={p.required}
              disabled={disabled}
              value={parameters[p.name] ?? ''}
              helperText={p.description}
              onChange={e => setParameter(p.name, e.target.value as string)}
            >
              {p.options?.map(o => (
                <MenuItem key={o} value={o}>
                  {o}
                </MenuItem>
              ))}
            </TextField>
          ))}
        </Box>
      )}
    </Box>
  );
}
