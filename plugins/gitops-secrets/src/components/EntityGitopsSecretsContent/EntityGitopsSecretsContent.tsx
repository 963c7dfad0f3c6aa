import { getCompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import { useMemo } from 'react';
import { useEntityGitopsSecretsStatus } from '../../hooks/useEntityGitopsSecretsStatus';
import { useEntityObjectPages } from '../../hooks/useEntityObjectPages';
import { StatusBody } from '../shared/StatusBody';
import { RefreshButton, StatusSummary } from '../shared/StatusHeader';
import { externalSecretRow, fluxRow, storeRow } from './rows';
import {
  ExternalSecretsTable,
  FluxObjectsTable,
  LoadMore,
  StoresTable,
} from './StatusTables';

/** Entries per list in the status the cluster panels read: they name at most 5 leaf clusters. */
const PANEL_LIST_LIMIT = 5;

/** @public */
export interface EntityGitopsSecretsContentProps {
  /** Polling interval in ms (default 30 000; 0 turns polling off). */
  pollIntervalMs?: number;
}

/**
 * The entity's full GitOps secrets status: every cluster expanded with its
 * findings, then tables of ExternalSecrets, stores and Flux objects across all
 * its clusters, read page by page from the backend (500 entries a page) with
 * how many more there are.
 *
 * @public
 */
export function EntityGitopsSecretsContent(
  props: EntityGitopsSecretsContentProps,
) {
  const { entity } = useEntity();
  // The clusters' health, counts and every finding, with lists cut to the few the panels name (leaf clusters);
  // the tables page through `…/objects`.
  const state = useEntityGitopsSecretsStatus(entity, {
    intervalMs: props.pollIntervalMs,
    limit: PANEL_LIST_LIMIT,
  });
  const ref = getCompoundEntityRef(entity);
  const names = useMemo(
    () => (state.value?.clusters ?? []).map(c => c.cluster),
    [state.value],
  );
  const refreshKey = state.lastUpdated?.getTime();
  const es = useEntityObjectPages(ref, names, 'externalsecrets', refreshKey);
  const stores = useEntityObjectPages(ref, names, 'stores', refreshKey);
  const flux = useEntityObjectPages(ref, names, 'flux', refreshKey);
  const rows = useMemo(
    () => ({
      externalSecrets: es.clusters.flatMap(c =>
        c.items.map(i => externalSecretRow(c.cluster, i)),
      ),
      stores: stores.clusters.flatMap(c =>
        c.items.map(i => storeRow(c.cluster, i)),
      ),
      flux: flux.clusters.flatMap(c => c.items.map(i => fluxRow(c.cluster, i))),
    }),
    [es.clusters, stores.clusters, flux.clusters],
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
      {names.length > 0 && (
        <>
          <Grid item xs={12}>
            <ExternalSecretsTable
              rows={rows.externalSecrets}
              total={es.total}
            />
            <LoadMore what="ExternalSecrets" pages={es} />
          </Grid>
          <Grid item xs={12}>
            <StoresTable rows={rows.stores} total={stores.total} />
            <LoadMore what="secret stores" pages={stores} />
          </Grid>
          <Grid item xs={12}>
            <FluxObjectsTable rows={rows.flux} total={flux.total} />
            <LoadMore what="Flux objects" pages={flux} />
          </Grid>
        </>
      )}
    </Grid>
  );
}
