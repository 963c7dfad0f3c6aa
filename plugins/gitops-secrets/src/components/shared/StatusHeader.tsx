import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import RefreshIcon from '@material-ui/icons/Refresh';
import type { EntityStatusResponse } from '@golden-gitops/plugin-gitops-secrets-common';
import type { PollingState } from '../../hooks/usePolling';
import { HealthChip } from './HealthChip';
import { RelativeTime } from './RelativeTime';

const useStyles = makeStyles(theme => ({
  summary: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
}));

/** The refresh button: reloads now and restarts the polling timer. */
export function RefreshButton(props: {
  state: PollingState<EntityStatusResponse>;
}) {
  return (
    <IconButton
      aria-label="Refresh GitOps secrets status"
      title="Refresh now"
      onClick={props.state.refresh}
      data-testid="refresh"
    >
      <RefreshIcon />
    </IconButton>
  );
}

/** Entity health, cluster count and when the status was last loaded. */
export function StatusSummary(props: {
  state: PollingState<EntityStatusResponse>;
}) {
  const classes = useStyles();
  const { value, lastUpdated, loading } = props.state;
  if (!value) return null;
  const n = value.clusters.length;
  return (
    <div className={classes.summary}>
      <HealthChip health={value.health} />
      <Typography variant="body2" component="span">
        {n} {n === 1 ? 'cluster' : 'clusters'} · refreshed{' '}
        <RelativeTime value={lastUpdated} />
        {loading ? ' · refreshing…' : ''}
      </Typography>
    </div>
  );
}
