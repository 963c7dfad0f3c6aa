import { Table, TableColumn } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ObjectPagesState } from '../../hooks/useEntityObjectPages';
import { OBJECT_PAGE_SIZE } from '../../hooks/useEntityObjectPages';
import { RelativeTime } from '../shared/RelativeTime';
import { StateIcon, healthToState } from '../shared/StateIcon';
import type { StepState } from '../chain';
import type {
  ExternalSecretRow,
  ExternalSecretState,
  FluxRow,
  FluxState,
  StoreRow,
} from './rows';

const useStyles = makeStyles(theme => ({
  state: { display: 'flex', alignItems: 'center', gap: theme.spacing(0.5) },
  message: { maxWidth: '32rem', wordBreak: 'break-word' },
  more: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    padding: theme.spacing(1, 2),
  },
}));

/** `ExternalSecrets (2000)`, or `(500 of 2000)` while not every page is loaded. */
function title(what: string, loaded: number, total?: number): string {
  return total !== undefined && total > loaded
    ? `${what} (${loaded} of ${total})`
    : `${what} (${loaded})`;
}

/** How many more entries the backend has than are loaded, and buttons to load them. */
export function LoadMore(props: {
  what: string;
  pages: Pick<
    ObjectPagesState<any>,
    'loaded' | 'total' | 'loading' | 'clusters' | 'loadMore' | 'loadAll'
  >;
}) {
  const classes = useStyles();
  const { loaded, total, loading, clusters } = props.pages;
  const failed = clusters.filter(c => c.error);
  const remaining = total - loaded;
  if (remaining <= 0 && !failed.length) return null;
  return (
    <div className={classes.more} data-testid={`more-${props.what}`}>
      {remaining > 0 && (
        <>
          <Typography variant="body2">
            Showing {loaded} of {total} {props.what}; {remaining} more not
            loaded. Search and filters apply to the loaded rows.
          </Typography>
          <Button
            size="small"
            variant="outlined"
            disabled={loading}
            onClick={props.pages.loadMore}
          >
            Load {Math.min(remaining, OBJECT_PAGE_SIZE)} more {props.what}
          </Button>
          <Button size="small" disabled={loading} onClick={props.pages.loadAll}>
            Load all {props.what}
          </Button>
        </>
      )}
      {failed.map(c => (
        <Typography variant="body2" color="error" key={c.cluster}>
          Could not read the {props.what} of {c.cluster}: {c.error}
        </Typography>
      ))}
    </div>
  );
}

const PAGE_OPTIONS = {
  paging: true,
  pageSize: 20,
  pageSizeOptions: [20, 50, 100],
  search: true,
  padding: 'dense' as const,
  emptyRowsWhenPaging: false,
};

const ES_STATE: Record<ExternalSecretState, StepState> = {
  Synced: 'ok',
  Stale: 'warning',
  Failing: 'error',
  Pending: 'progressing',
};

const FLUX_STATE: Record<FluxState, StepState> = {
  Ready: 'ok',
  'Not ready': 'error',
  Suspended: 'absent',
};

function StateCell(props: { state: StepState; text: string }) {
  const classes = useStyles();
  return (
    <span className={classes.state}>
      <StateIcon state={props.state} />
      {props.text}
    </span>
  );
}

function Message(props: { reason: string; message: string }) {
  const classes = useStyles();
  if (!props.reason && !props.message) return null;
  return (
    <Typography variant="body2" className={classes.message}>
      {props.reason && <strong>{props.reason}</strong>}
      {props.reason && props.message ? ': ' : ''}
      {props.message}
    </Typography>
  );
}

export function ExternalSecretsTable(props: {
  rows: ExternalSecretRow[];
  /** Entries on the backend, when more than the rows loaded. */
  total?: number;
}) {
  const columns: TableColumn<ExternalSecretRow>[] = [
    { title: 'Cluster', field: 'cluster' },
    { title: 'Namespace', field: 'namespace' },
    { title: 'Name', field: 'name', highlight: true },
    {
      title: 'Status',
      field: 'state',
      render: r => <StateCell state={ES_STATE[r.state]} text={r.state} />,
    },
    { title: 'Store', field: 'store' },
    { title: 'Target Secret', field: 'targetSecret' },
    { title: 'Interval', field: 'refreshInterval' },
    {
      title: 'Last refresh',
      field: 'refreshTime',
      render: r => <RelativeTime value={r.refreshTime} />,
    },
    {
      title: 'Message',
      field: 'message',
      render: r => <Message reason={r.reason} message={r.message} />,
    },
  ];
  return (
    <Table<ExternalSecretRow>
      title={title('ExternalSecrets', props.rows.length, props.total)}
      columns={columns}
      data={props.rows}
      options={PAGE_OPTIONS}
      filters={[
        { column: 'Cluster', type: 'multiple-select' },
        { column: 'Namespace', type: 'multiple-select' },
        { column: 'Status', type: 'multiple-select' },
      ]}
      emptyContent={<Empty what="ExternalSecrets" />}
    />
  );
}

export function StoresTable(props: {
  rows: StoreRow[];
  /** Entries on the backend, when more than the rows loaded. */
  total?: number;
}) {
  const columns: TableColumn<StoreRow>[] = [
    { title: 'Cluster', field: 'cluster' },
    { title: 'Kind', field: 'kind' },
    { title: 'Namespace', field: 'namespace' },
    { title: 'Name', field: 'name', highlight: true },
    { title: 'Provider', field: 'provider' },
    {
      title: 'Health',
      field: 'health',
      render: r => (
        <StateCell state={healthToState(r.health)} text={r.health} />
      ),
    },
    {
      title: 'Message',
      field: 'message',
      render: r => <Message reason={r.reason} message={r.message} />,
    },
  ];
  return (
    <Table<StoreRow>
      title={title('Secret stores', props.rows.length, props.total)}
      columns={columns}
      data={props.rows}
      options={PAGE_OPTIONS}
      filters={[
        { column: 'Cluster', type: 'multiple-select' },
        { column: 'Kind', type: 'multiple-select' },
        { column: 'Health', type: 'multiple-select' },
      ]}
      emptyContent={<Empty what="secret stores" />}
    />
  );
}

export function FluxObjectsTable(props: {
  rows: FluxRow[];
  /** Entries on the backend, when more than the rows loaded. */
  total?: number;
}) {
  const columns: TableColumn<FluxRow>[] = [
    { title: 'Cluster', field: 'cluster' },
    { title: 'Kind', field: 'kind' },
    { title: 'Namespace', field: 'namespace' },
    { title: 'Name', field: 'name', highlight: true },
    {
      title: 'Status',
      field: 'state',
      render: r => <StateCell state={FLUX_STATE[r.state]} text={r.state} />,
    },
    { title: 'Revision', field: 'revision' },
    { title: 'Depends on', field: 'dependsOn' },
    {
      title: 'Since',
      field: 'lastTransitionTime',
      render: r => <RelativeTime value={r.lastTransitionTime} fallback="" />,
    },
    {
      title: 'Message',
      field: 'message',
      render: r => <Message reason={r.reason} message={r.message} />,
    },
  ];
  return (
    <Table<FluxRow>
      title={title('Flux objects', props.rows.length, props.total)}
      columns={columns}
      data={props.rows}
      options={PAGE_OPTIONS}
      filters={[
        { column: 'Cluster', type: 'multiple-select' },
        { column: 'Kind', type: 'multiple-select' },
        { column: 'Status', type: 'multiple-select' },
      ]}
      emptyContent={<Empty what="Flux objects" />}
    />
  );
}

function Empty(props: { what: string }) {
  return (
    <Typography variant="body2" style={{ padding: 16 }}>
      No {props.what} on this entity’s clusters.
    </Typography>
  );
}
