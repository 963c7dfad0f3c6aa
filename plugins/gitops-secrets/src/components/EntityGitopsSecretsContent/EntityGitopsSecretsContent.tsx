import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import { useMemo } from 'react';
import { useEntityGitopsSecretsStatus } from '../../hooks/useEntityGitopsSecretsStatus';
import { StatusBody } from '../shared/StatusBody';
import { RefreshButton, StatusSummary } from '../shared/StatusHeader';
import { externalSecretRows, fluxRows, storeRows } from './rows';
import {
  ExternalSecretsTable,
  FluxObjectsTable,
  StoresTable,
} from './StatusTables';

/** @public */
export interface EntityGitopsSecretsContentProps {
  /** Polling interval in ms (default 30 000; 0 turns polling off). */
  pollIntervalMs?: number;
}

/**
 * The entity's full GitOps secrets status: every cluster expanded with its
 * findings, then filterable, paginated tables of ExternalSecrets, stores and
 * Flux objects across all its clusters.
 *
 * @public
 */
export function EntityGitopsSecretsContent(
  props: EntityGitopsSecretsContentProps,
) {
  const { entity } = useEntity();
  const state = useEntityGitopsSecretsStatus(entity, {
    intervalMs: props.pollIntervalMs,
  });
  const value = state.value;
  const rows = useMemo(
    () =>
      value
        ? {
            externalSecrets: externalSecretRows(value),
            stores: storeRows(value),
            flux: fluxRows(value),
          }
        : undefined,
    [value],
  );
  return (
    <Grid container spacing={3} data-testid="gitops-secrets-content">
      <Grid item xs={12}>
        <InfoCard
          title="Clusters"
          titleTypographyProps={{ component: 'h2' }}
          subheader={<StatusSummary state={state} />}
          action={<RefreshButton state={state} />}
        >
          <StatusBody entity={entity} state={state} />
        </InfoCard>
      </Grid>
      {rows && value && value.clusters.length > 0 && (
        <>
          <Grid item xs={12}>
            <ExternalSecretsTable rows={rows.externalSecrets} />
          </Grid>
          <Grid item xs={12}>
            <StoresTable rows={rows.stores} />
          </Grid>
          <Grid item xs={12}>
            <FluxObjectsTable rows={rows.flux} />
          </Grid>
        </>
      )}
    </Grid>
  );
}
