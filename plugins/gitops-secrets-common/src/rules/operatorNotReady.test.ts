import {
  SERVED_ALL,
  deployment,
  esoCrd,
  healthyEso,
} from '../testing/builders';
import { findings } from '../testing/rules';

describe('OPERATOR_NOT_READY', () => {
  const crds = [esoCrd('externalsecrets', 'ExternalSecret')];

  it('fires when a Deployment has fewer ready replicas than desired', () => {
    const [f] = findings(
      [
        ...crds,
        deployment('external-secrets', 1, 0),
        deployment('external-secrets-webhook', 1, 1),
      ],
      'OPERATOR_NOT_READY',
    );
    expect(f.severity).toBe('error');
    expect(f.title).toContain('external-secrets/external-secrets 0/1 ready');
    expect(f.objects.map(o => o.name)).toEqual(['external-secrets']);
    expect(f.command).toBe(
      'kubectl --context mgmt -n external-secrets describe deployment external-secrets',
    );
  });

  it('warns when ESO is installed but no operator Deployment is found', () => {
    const [f] = findings(crds, 'OPERATOR_NOT_READY');
    expect(f.severity).toBe('warning');
  });

  it.each([
    ['all ready', [...healthyEso()], SERVED_ALL],
    ['ESO not installed', [deployment('external-secrets', 1, 0)], {}],
    [
      'Deployments not watched',
      crds,
      { 'externalsecrets.external-secrets.io': 'v1' },
    ],
  ])('does not fire when %s', (_n, objects, servedVersions) => {
    expect(findings(objects, 'OPERATOR_NOT_READY', { servedVersions })).toEqual(
      [],
    );
  });
});
