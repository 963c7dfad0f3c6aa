import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { Finding } from '@golden-gitops/plugin-gitops-secrets-common';
import { CopyableCommand } from './CopyableCommand';
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
