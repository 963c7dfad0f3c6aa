import { isExternalSecretStale } from '../rules';
import { externalSecret, healthyEso, secretStore } from '../testing/builders';
import { NOW, findings, notReady, run } from '../testing/rules';

describe('SECRET_STALE and isExternalSecretStale', () => {
  const at = (msAgo: number) => new Date(NOW.getTime() - msAgo).toISOString();
  const HOUR = 3_600_000;

  it.each([
    ['refreshed just now', '1h', at(0), undefined, false],
    ['exactly 2× the interval ago', '1h', at(2 * HOUR), undefined, false],
    [
      'just over 2× the interval ago',
      '1h',
      at(2 * HOUR + 1000),
      undefined,
      true,
    ],
    ['1h30m interval, 3h ago', '1h30m', at(3 * HOUR), undefined, false],
    [
      '1h30m interval, 3h and 1s ago',
      '1h30m',
      at(3 * HOUR + 1000),
      undefined,
      true,
    ],
    [
      'refreshInterval 0 never refreshes',
      '0',
      at(1000 * HOUR),
      undefined,
      false,
    ],
    [
      'refreshInterval 0s never refreshes',
      '0s',
      at(1000 * HOUR),
      undefined,
      false,
    ],
    [
      'CreatedOnce never refreshes',
      '1h',
      at(1000 * HOUR),
      'CreatedOnce',
      false,
    ],
    [
      'OnChange never refreshes on a timer',
      '1h',
      at(1000 * HOUR),
      'OnChange',
      false,
    ],
    ['no refreshTime', '1h', undefined, undefined, false],
    ['unparsable interval', 'often', at(1000 * HOUR), undefined, false],
  ])('%s', (_n, refreshInterval, refreshTime, refreshPolicy, stale) => {
    const es = externalSecret('db', 'team-a', {
      spec: { refreshInterval, ...(refreshPolicy ? { refreshPolicy } : {}) },
      status: refreshTime ? { refreshTime } : {},
    });
    expect(isExternalSecretStale(es, NOW)).toBe(stale);
    expect(
      findings(
        [...healthyEso(), secretStore('aws', 'team-a'), es],
        'SECRET_STALE',
      ),
    ).toHaveLength(stale ? 1 : 0);
  });

  it('uses ESO’s 1h default when refreshInterval is unset', () => {
    const es = externalSecret('db', 'team-a', {
      status: { refreshTime: at(2 * HOUR + 1000) },
    });
    delete es.spec!.refreshInterval;
    expect(isExternalSecretStale(es, NOW)).toBe(true);
  });

  it('leaves failing secrets to SECRET_SYNC_ERROR', () => {
    const es = externalSecret('db', 'team-a', {
      status: { refreshTime: at(10 * HOUR) },
      conditions: notReady('SecretSyncedError', 'x'),
    });
    const codes = run([
      ...healthyEso(),
      secretStore('aws', 'team-a'),
      es,
    ]).findings.map(f => f.code);
    expect(codes).toContain('SECRET_SYNC_ERROR');
    expect(codes).not.toContain('SECRET_STALE');
  });
});
