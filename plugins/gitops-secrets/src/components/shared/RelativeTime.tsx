import { formatExactTime, formatRelativeTime, parseTime } from './time';

/**
 * A relative time ("5 minutes ago") whose exact time shows on hover (and is
 * read out by screen readers) through the `title` of a `<time>` element.
 */
export function RelativeTime(props: {
  value: string | Date | undefined;
  /** Shown when there is no time. */
  fallback?: string;
}) {
  const date = parseTime(props.value);
  if (!date) return <span>{props.fallback ?? 'never'}</span>;
  return (
    <time dateTime={date.toISOString()} title={formatExactTime(date)}>
      {formatRelativeTime(date, new Date())}
    </time>
  );
}
