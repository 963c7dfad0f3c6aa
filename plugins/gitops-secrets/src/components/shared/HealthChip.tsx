import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import type { Health } from '@golden-gitops/plugin-gitops-secrets-common';
import { HealthIcon } from './StateIcon';

const useStyles = makeStyles({
  chip: { margin: 0, fontWeight: 500 },
});

/** The health of a cluster or an entity, as an outlined chip with a coloured icon (text keeps full contrast). */
export function HealthChip(props: {
  health: Health;
  size?: 'small' | 'medium';
}) {
  const classes = useStyles();
  return (
    <Chip
      className={classes.chip}
      variant="outlined"
      size={props.size ?? 'small'}
      icon={<HealthIcon health={props.health} />}
      label={props.health}
      data-testid="health-chip"
    />
  );
}
