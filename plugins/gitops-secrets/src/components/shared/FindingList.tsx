import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type {
  Finding,
  FindingEvent,
} from '@golden-gitops/plugin-gitops-secrets-common';
import { describeRef } from '@golden-gitops/plugin-gitops-secrets-common';
import { CopyableCommand } from './CopyableCommand';
import { RelativeTime } from './RelativeTime';
import { SeverityIcon } from './StateIcon';

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', margin: 0, padding: 0 },
  item: {
    display: 'flex',
    gap: theme.spacing(1),
    padding: theme.spacing(1, 0),
    '& + &': { borderTop: `1px solid ${theme.palette.divider}` },
  },
  icon: { paddingTop: 2 },
  body: { flex: 1, minWidth: 0 },
  title: { fontWeight: 600 },
  fix: { marginTop: theme.spacing(0.5) },
  extra: { marginTop: theme.spacing(0.5) },
  events: { margin: theme.spacing(0.5, 0, 0), paddingLeft: theme.spacing(2) },
  eventMessage: { overflowWrap: 'anywhere', whiteSpace: 'pre-line' },
  srOnly: {
    position: 'absolute',
    width: 1,
    height: 1,
    padding: 0,
    margin: -1,
    overflow: 'hidden',
    clip: 'rect(0, 0, 0, 0)',
    whiteSpace: 'nowrap',
    border: 0,
  },
}));

const SEVERITY_LABEL = { error: 'Error', warning: 'Warning', info: 'Info' };

/** Long controller output is cut: the start says what failed, `kubectl describe` shows the rest. */
const MAX_EVENT_TEXT = 400;

function EventLine(props: { event: FindingEvent; className: string }) {
  const { event } = props;
  const text = event.message ?? '';
  return (
    <li>
      <Typography variant="body2" component="span">
        <strong>
          {[event.type, event.reason].filter(Boolean).join(' ') || 'Event'}
        </strong>{' '}
        on {event.object.kind} {event.object.name}
        {event.count && event.count > 1 ? ` (×${event.count})` : ''},{' '}
        <RelativeTime value={event.lastTimestamp} fallback="time unknown" />
        {text && ': '}
        <span className={props.className}>
          {text.length > MAX_EVENT_TEXT
            ? `${text.slice(0, MAX_EVENT_TEXT)}…`
            : text}
        </span>
      </Typography>
    </li>
  );
}

/** Findings, most urgent first (the backend sorts them): what is wrong, why, what to change, and how to look. */
export function FindingList(props: { findings: Finding[]; cluster: string }) {
  const classes = useStyles();
  if (!props.findings.length) return null;
  return (
    <ul className={classes.list} aria-label={`Findings on ${props.cluster}`}>
      {props.findings.map((f, i) => (
        <li
          key={`${f.code}-${i}`}
          className={classes.item}
          data-testid="finding"
          data-code={f.code}
        >
          <span className={classes.icon}>
            <SeverityIcon severity={f.severity} />
          </span>
          <div className={classes.body}>
            <Typography variant="body2" className={classes.title}>
              <span className={classes.srOnly}>
                {SEVERITY_LABEL[f.severity]}:{' '}
              </span>
              {f.title}
            </Typography>
            <Typography variant="body2" color="textSecondary">
              {f.detail}
            </Typography>
            <Typography variant="body2" className={classes.fix}>
              <strong>Fix:</strong> {f.fix}
            </Typography>
            {f.blocks?.length ? (
              <Typography
                variant="body2"
                className={classes.extra}
                data-testid="finding-blocks"
              >
                <strong>Blocked by this:</strong>{' '}
                {f.blocks.map(describeRef).join(', ')}
              </Typography>
            ) : null}
            {f.events?.length ? (
              <div className={classes.extra} data-testid="finding-events">
                <Typography variant="body2" component="p">
                  <strong>Recent events</strong>
                </Typography>
                <ul
                  className={classes.events}
                  aria-label={`Recent events: ${f.title}`}
                >
                  {f.events.map((e, j) => (
                    <EventLine
                      key={`${e.object.kind}-${e.object.name}-${j}`}
                      event={e}
                      className={classes.eventMessage}
                    />
                  ))}
                </ul>
              </div>
            ) : null}
            {f.command && (
              <CopyableCommand
                command={f.command}
                label={`Copy kubectl command: ${f.command}`}
              />
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
