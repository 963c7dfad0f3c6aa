import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';

/** One choice of a picker: its value, what it shows, and whether it can be chosen. */
export interface PickerOption {
  value: string;
  /** React key, when values may repeat (default: the value). */
  key?: string;
  primary: string;
  secondary: string;
  disabled?: boolean;
}

export interface PickerSelectProps {
  id: string;
  label: string;
  testId: string;
  required?: boolean;
  disabled?: boolean;
  error?: boolean;
  /** The chosen option's value, the orphan's, or '' for none. */
  value: string;
  helperText: string;
  /** The helper text is a warning about the choice: announced when it appears. */
  alert?: boolean;
  options: PickerOption[];
  /** A prefilled value that is not offered: shown, disabled, with why. */
  orphan?: { value: string; secondary: string };
  /** What the closed field shows for a value. */
  renderValue: (value: string) => string;
  onChange: (value: string) => void;
}

/** The select every picker field shows: options with a second line, and a prefilled value that is not offered. */
export function PickerSelect(props: PickerSelectProps) {
  const { options, orphan } = props;
  return (
    <TextField
      id={props.id}
      select
      fullWidth
      margin="normal"
      label={props.label}
      required={props.required}
      disabled={props.disabled}
      value={props.value}
      error={props.error}
      helperText={props.helperText}
      FormHelperTextProps={props.alert ? { role: 'alert' } : undefined}
      onChange={e => props.onChange(String(e.target.value ?? ''))}
      SelectProps={{ renderValue: v => props.renderValue(String(v)) }}
      data-testid={props.testId}
    >
      {options.map(o => (
        <MenuItem key={o.key ?? o.value} value={o.value} disabled={o.disabled}>
          <ListItemText primary={o.primary} secondary={o.secondary} />
        </MenuItem>
      ))}
      {orphan && (
        <MenuItem value={orphan.value} disabled>
          <ListItemText primary={orphan.value} secondary={orphan.secondary} />
        </MenuItem>
      )}
    </TextField>
  );
}
