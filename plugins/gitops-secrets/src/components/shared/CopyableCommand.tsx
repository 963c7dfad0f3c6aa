import { CopyTextButton } from '@backstage/core-components';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginTop: theme.spacing(0.5),
  },
  code: {
    flex: 1,
    minWidth: 0,
    // Wrapped, not scrolled: a scrolling region would need to be focusable.
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    padding: theme.spacing(0.5, 1),
    borderRadius: theme.shape.borderRadius,
    background: theme.palette.background.default,
    color: theme.palette.text.primary,
  },
}));

/** A shell command with a copy button (labelled, so screen readers say what it copies). */
export function CopyableCommand(props: { command: string; label?: string }) {
  const classes = useStyles();
  return (
    <div className={classes.root}>
      <code className={classes.code}>{props.command}</code>
      <CopyTextButton
        text={props.command}
        tooltipText="Command copied to clipboard"
        aria-label={props.label ?? 'Copy command'}
      />
    </div>
  );
}
