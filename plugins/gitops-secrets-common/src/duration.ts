/**
 * Go `time.ParseDuration`, as used by Flux `interval` and ESO `refreshInterval`
 * (metav1.Duration): `10s`, `30m`, `1h30m`, `1.5h`, `500ms`, `0`.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART_SOURCE = '(\\d+\\.?\\d*|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)';

/**
 * Milliseconds in a Go duration string, or undefined when it is not one.
 * Like Go, a bare `0` is allowed and every other number needs a unit.
 *
 * @public
 */
export function parseGoDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  let s = value.trim();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (!s) return undefined;
  // A fresh sticky regex per call keeps this function re-entrant.
  const part = new RegExp(PART_SOURCE, 'y');
  let total = 0;
  while (part.lastIndex < s.length) {
    const start = part.lastIndex;
    const m = part.exec(s);
    if (!m || m.index !== start) return undefined;
    total += parseFloat(m[1]) * UNIT_MS[m[2]];
  }
  return sign * total;
}

/**
 * A short human form of milliseconds, largest units first (`1h30m`, `45s`).
 *
 * @public
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const negative = ms < 0;
  let rest = Math.round(Math.abs(ms) / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      rest -= n * size;
    }
  }
  const text = parts.length ? parts.join('') : '0s';
  return negative ? `-${text}` : text;
}
