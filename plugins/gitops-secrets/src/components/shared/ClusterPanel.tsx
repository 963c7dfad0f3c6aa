import { Entity } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import type {
  ClusterErrorType,
  ClusterStatus,
  LeafClusterStatus,
} from '@golden-gitops/plugin-gitops-secrets-common';
import { useState } from 'react';
import { bootstrapTemplateLink } from '../../conditions';
import { chainSteps } from '../chain';
import { FindingList } from './FindingList';
import { HealthChip } from './HealthChip';
import { RelativeTime } from './RelativeTime';
import { StateIcon, healthToState } from './StateIcon';

const useStyles = makeStyles(theme => ({
  section: {
    padding: theme.spacing(1.5, 0),
    '& + &': { borderTop: `1px solid ${theme.palette.divider}` },
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
  name: { fontWeight: 600, margin: 0 },
  observed: { marginLeft: 'auto', color: theme.palette.text.secondary },
  chain: { listStyle: 'none', margin: theme.spacing(1, 0, 0), padding: 0 },
  step: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(0.25, 0),
  },
  stepLabel: { fontWeight: 500, minWidth: '8.5rem' },
  leaves: {
    listStyle: 'none',
    margin: theme.spacing(0, 0, 0, 3.5),
    padding: 0,
  },
  leaf: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  errorRow: {
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'flex-start',
    marginTop: theme.spacing(1),
  },
  empty: { marginTop: theme.spacing(1) },
  emptyAction: { marginTop: theme.spacing(1) },
  cta: {
    display: 'inline-block',
    padding: theme.spacing(0.5, 1.5),
    border: `1px solid ${theme.palette.primary.main}`,
    borderRadius: theme.shape.borderRadius,
    fontWeight: 500,
  },
}));

const ERROR_LABEL: Record<ClusterErrorType, string> = {
  UNREACHABLE: 'Unreachable',
  TIMEOUT: 'Timed out',
  UNAUTHORIZED: 'Unauthorized',
  FORBIDDEN: 'Forbidden',
  UNSUPPORTED_API: 'Unsupported API',
  NOT_CONFIGURED: 'Not configured',
  UNKNOWN: 'Error',
};

/** How many leaf clusters the card lists before "and N more". */
const MAX_LEAVES = 5;

function leafText(leaf: LeafClusterStatus): string {
  const parts: string[] = [];
  if (leaf.phase) parts.push(leaf.phase);
  parts.push(leaf.bootstrapped ? 'bootstrapped' : 'not bootstrapped');
  if (leaf.credentialsRequired)
    parts.push(
      leaf.credentialsCopied ? 'credentials copied' : 'credentials not copied',
    );
  return parts.join(', ');
}

function anchorId(prefix: string, cluster: string): string {
  return `gitops-secrets-${prefix}-${cluster.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * One cluster: health, the chain from sources to ExternalSecrets (and leaf
 * clusters), findings; or, when the cluster could not be read, its error in
 * this row only.
 */
export function ClusterPanel(props: {
  entity: Entity;
  cluster: ClusterStatus;
  defaultExpanded?: boolean;
  /** Render the expand/collapse button (the card does, for many clusters). */
  collapsible?: boolean;
  /** Heading level of the cluster name, below the card's or page's own heading. */
  headingLevel?: 'h3' | 'h4';
}) {
  const classes = useStyles();
  const { cluster, entity } = props;
  const [expanded, setExpanded] = useState(props.defaultExpanded ?? true);
  const headingId = anchorId('cluster', cluster.cluster);
  const bodyId = anchorId('body', cluster.cluster);
  const showBody = !props.collapsible || expanded;
  const esoMissing =
    !cluster.error && cluster.eso !== undefined && !cluster.eso.installed;
  // "Not installed" is shown as its own call to action; listing it again would repeat it.
  const findings = esoMissing
    ? cluster.findings.filter(f => f.code !== 'ESO_NOT_INSTALLED')
    : cluster.findings;
  const esoFinding = cluster.findings.find(f => f.code === 'ESO_NOT_INSTALLED');
  // A cut answer (the card's summary) lists only some leaves and findings; `truncated` has the whole counts.
  const shownLeaves = Math.min(cluster.leafClusters.length, MAX_LEAVES);
  const moreLeaves =
    (cluster.truncated?.totals.leafClusters ?? cluster.leafClusters.length) -
    shownLeaves;
  const moreFindings =
    (cluster.truncated?.findings ?? cluster.findings.length) -
    cluster.findings.length;

  return (
    <section
      className={classes.section}
      aria-labelledby={headingId}
      data-testid={`cluster-${cluster.cluster}`}
    >
      <div className={classes.header}>
        {props.collapsible && (
          <IconButton
            size="small"
            aria-expanded={expanded}
            aria-controls={bodyId}
            aria-label={`${expanded ? 'Hide' : 'Show'} details of cluster ${
              cluster.cluster
            }`}
            onClick={() => setExpanded(e => !e)}
          >
            {expanded ? <ExpandLessIcon /> : <ExpandMoreIcon />}
          </IconButton>
        )}
        <Typography
          component={props.headingLevel ?? 'h3'}
          variant="subtitle1"
          className={classes.name}
          id={headingId}
        >
          {cluster.cluster}
        </Typography>
        <HealthChip health={cluster.health} />
        <Typography variant="caption" className={classes.observed}>
          checked <RelativeTime value={cluster.observedAt} />
        </Typography>
      </div>

      <div id={bodyId} hidden={!showBody}>
        {cluster.error ? (
          <div className={classes.errorRow} data-testid="cluster-error">
            <StateIcon state="error" />
            <Typography variant="body2">
              <strong>{ERROR_LABEL[cluster.error.type] ?? 'Error'}:</strong>{' '}
              {cluster.error.message}
            </Typography>
          </div>
        ) : (
          <ol
            className={classes.chain}
            aria-label={`Chain on ${cluster.cluster}`}
          >
            {chainSteps(cluster).map(step => (
              <li
                key={step.key}
                data-testid={`step-${step.key}`}
                className={classes.step}
              >
                <StateIcon state={step.state} />
                <Typography variant="body2" className={classes.stepLabel}>
                  {step.label}
                </Typography>
                <Typography variant="body2">
                  {step.summary}
                  {step.time && (
                    <>
                      {', '}
                      {step.time.label} <RelativeTime value={step.time.value} />
                    </>
                  )}
                </Typography>
              </li>
            ))}
          </ol>
        )}

        {!cluster.error &&
          (cluster.leafClusters.length > 0 || moreLeaves > 0) && (
            <ul
              className={classes.leaves}
              aria-label={`Leaf clusters of ${cluster.cluster}`}
            >
              {cluster.leafClusters.slice(0, MAX_LEAVES).map(leaf => (
                <li
                  key={`${leaf.namespace}/${leaf.name}`}
                  className={classes.leaf}
                >
                  <StateIcon state={healthToState(leaf.health)} />
                  <Typography variant="body2">
                    <strong>{leaf.name}</strong>: {leafText(leaf)}
                  </Typography>
                </li>
              ))}
              {moreLeaves > 0 && (
                <li className={classes.leaf}>
                  <Typography variant="body2" color="textSecondary">
                    and {moreLeaves} more
                  </Typography>
                </li>
              )}
            </ul>
          )}

        {esoMissing && (
          <div className={classes.empty} data-testid="eso-not-installed">
            <Typography variant="body2">
              <strong>
                External Secrets Operator is not installed on {cluster.cluster}.
              </strong>{' '}
              {esoFinding?.detail ??
                'ExternalSecrets cannot be created on this cluster yet.'}
            </Typography>
            <div className={classes.emptyAction}>
              {/* A link, not a button: it navigates to the template. */}
              <Link
                to={bootstrapTemplateLink(entity, cluster.cluster)}
                className={classes.cta}
              >
                Install ESO on {cluster.cluster} with Flux
              </Link>
            </div>
          </div>
        )}

        <FindingList findings={findings} cluster={cluster.cluster} />
        {moreFindings > 0 && (
          <Typography
            variant="body2"
            color="textSecondary"
            data-testid="more-findings"
          >
            {moreFindings} less urgent{' '}
            {moreFindings === 1 ? 'finding is' : 'findings are'} not shown here;
            the GitOps secrets tab lists every finding.
          </Typography>
        )}
      </div>
    </section>
  );
}
