import { Entity } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  EntityStatusResponse,
  HEALTH_PRIORITY,
} from '@golden-gitops/plugin-gitops-secrets-common';
import type { PollingState } from '../../hooks/usePolling';
import { ClusterPanel } from './ClusterPanel';
import { errorMessage } from './errorMessage';
import { NoClusterEmptyState } from './NoClusterEmptyState';
import { RelativeTime } from './RelativeTime';
import { StateIcon } from './StateIcon';

const useStyles = makeStyles(theme => ({
  notice: {
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'flex-start',
    marginBottom: theme.spacing(1),
  },
}));

/** With more clusters than this, healthy ones start collapsed so the card stays small. */
export const EXPANDED_CLUSTERS = 3;

/** Clusters needing attention first, then by name. */
export function sortClusters<T extends { cluster: string; health: string }>(
  clusters: T[],
): T[] {
  const rank = (h: string) => {
    const i = (HEALTH_PRIORITY as readonly string[]).indexOf(h);
    return i < 0 ? HEALTH_PRIORITY.length : i;
  };
  return [...clusters].sort(
    (a, b) =>
      rank(a.health) - rank(b.health) || a.cluster.localeCompare(b.cluster),
  );
}

/** The status of an entity's clusters, or why there is none: shared by the card and the tab. */
export function StatusBody(props: {
  entity: Entity;
  state: PollingState<EntityStatusResponse>;
  /** Collapse healthy clusters when there are many (the card). */
  compact?: boolean;
  headingLevel?: 'h3' | 'h4';
}) {
  const classes = useStyles();
  const { value, error, loading, lastUpdated } = props.state;

  if (!value) {
    if (loading && !error) return <Progress />;
    return (
      <div className={classes.notice} data-testid="load-error">
        <StateIcon state="error" />
        <Typography variant="body2">
          <strong>Could not load the GitOps secrets status.</strong>{' '}
          {error && errorMessage(error)}
        </Typography>
      </div>
    );
  }

  const clusters = sortClusters(value.clusters);
  const many = clusters.length > EXPANDED_CLUSTERS;
  return (
    <>
      {error && (
        <div className={classes.notice} data-testid="refresh-error">
          <StateIcon state="warning" />
          <Typography variant="body2">
            Could not refresh ({errorMessage(error)}); showing the status from{' '}
            <RelativeTime value={lastUpdated} />.
          </Typography>
        </div>
      )}
      {clusters.length === 0 ? (
        <NoClusterEmptyState entity={props.entity} />
      ) : (
        clusters.map(c => (
          <ClusterPanel
            key={c.cluster}
            entity={props.entity}
            cluster={c}
            collapsible={props.compact && many}
            defaultExpanded={!many || c.health !== 'Healthy'}
            headingLevel={props.headingLevel}
          />
        ))
      )}
    </>
  );
}
