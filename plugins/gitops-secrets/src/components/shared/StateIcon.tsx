import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HelpIcon from '@material-ui/icons/Help';
import InfoIcon from '@material-ui/icons/Info';
import RemoveCircleOutlineIcon from '@material-ui/icons/RemoveCircleOutline';
import SyncIcon from '@material-ui/icons/Sync';
import WarningIcon from '@material-ui/icons/Warning';
import type {
  FindingSeverity,
  Health,
} from '@golden-gitops/plugin-gitops-secrets-common';
import type { StepState } from '../chain';

const useStyles = makeStyles(theme => {
  const status = (theme.palette as any).status ?? {};
  return {
    ok: { color: status.ok ?? theme.palette.success.main },
    progressing: { color: status.running ?? theme.palette.info.main },
    warning: { color: status.warning ?? theme.palette.warning.main },
    error: { color: status.error ?? theme.palette.error.main },
    unknown: { color: theme.palette.text.secondary },
    absent: { color: theme.palette.text.secondary },
  };
});

const ICONS: Record<StepState, typeof CheckCircleIcon> = {
  ok: CheckCircleIcon,
  progressing: SyncIcon,
  warning: WarningIcon,
  error: ErrorIcon,
  unknown: HelpIcon,
  absent: RemoveCircleOutlineIcon,
};

/** A decorative state icon; the text next to it carries the meaning. */
export function StateIcon(props: { state: StepState }) {
  const classes = useStyles();
  const Icon = ICONS[props.state];
  return (
    <Icon
      className={classes[props.state]}
      fontSize="small"
      aria-hidden="true"
      focusable="false"
    />
  );
}

export function healthToState(health: Health): StepState {
  switch (health) {
    case 'Healthy':
      return 'ok';
    case 'Progressing':
      return 'progressing';
    case 'Degraded':
      return 'error';
    default:
      return 'unknown';
  }
}

export function HealthIcon(props: { health: Health }) {
  return <StateIcon state={healthToState(props.health)} />;
}

export function SeverityIcon(props: { severity: FindingSeverity }) {
  const classes = useStyles();
  if (props.severity === 'info') {
    return (
      <InfoIcon
        className={classes.progressing}
        fontSize="small"
        aria-hidden="true"
        focusable="false"
      />
    );
  }
  return <StateIcon state={props.severity} />;
}
