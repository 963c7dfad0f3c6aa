import { formatDuration, parseGoDuration } from './duration';

describe('parseGoDuration', () => {
  it.each([
    ['10s', 10_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['10m0s', 600_000],
    ['1h0m0s', 3_600_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['500ms', 500],
    ['1500us', 1.5],
    ['2µs', 0.002],
    ['0', 0],
    ['0s', 0],
    ['-1m', -60_000],
    ['+1m', 60_000],
    [' 5m ', 300_000],
  ])('%s → %d ms', (input, ms) => {
    expect(parseGoDuration(input)).toBeCloseTo(ms, 9);
  });

  it.each([
    [undefined],
    [''],
    ['1'], // a bare number other than 0 needs a unit, as in Go
    ['h'],
    ['1d'], // Go has no day unit
    ['1h 30m'],
    ['1hm'],
    ['abc'],
    ['-'],
  ])('%s is not a duration', input => {
    expect(parseGoDuration(input)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [5_400_000, '1h30m'],
    [90_061_000, '1d1h1m1s'],
    [-60_000, '-1m'],
  ])('%d → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
