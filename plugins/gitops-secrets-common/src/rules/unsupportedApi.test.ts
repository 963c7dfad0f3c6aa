import { healthyEso } from '../testing/builders';
import { findings } from '../testing/rules';

describe('UNSUPPORTED_API', () => {
  it.each(['externalsecrets.external-secrets.io', 'ExternalSecret'])(
    'names the kind given as %s',
    kind => {
      const [f] = findings(healthyEso(), 'UNSUPPORTED_API', {
        unsupported: [{ kind, servedVersions: ['v1beta1'] }],
      });
      expect(f.title).toBe('ExternalSecret is served only as v1beta1');
      expect(f.detail).toContain('external-secrets.io/v1,');
      expect(f.fix).toContain('External Secrets Operator');
    },
  );

  it('does not fire without unsupported kinds', () => {
    expect(findings(healthyEso(), 'UNSUPPORTED_API')).toEqual([]);
  });
});
