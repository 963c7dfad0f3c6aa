import { healthyEso, kustomization } from '../testing/builders';
import { findings, notReady } from '../testing/rules';

const WEBHOOK_MESSAGE =
  'ExternalSecret/app/db dry-run failed (InternalError): Internal error occurred: failed calling webhook "validate.externalsecret.external-secrets.io": failed to call webhook: Post "https://external-secrets-webhook.external-secrets.svc:443/validate": dial tcp 10.96.0.12:443: connect: connection refused';

describe('WEBHOOK_RACE', () => {
  it('asks for wait: true on the operator and a dependsOn on it', () => {
    const operator = kustomization('external-secrets-operator', {
      spec: { wait: false },
    });
    const crs = kustomization('external-secrets-crs', {
      conditions: notReady('ReconciliationFailed', WEBHOOK_MESSAGE),
    });
    const [f] = findings([...healthyEso(), operator, crs], 'WEBHOOK_RACE');
    expect(f.title).toContain('external-secrets-crs');
    expect(f.fix).toContain(
      'Set wait: true on Kustomization flux-system/external-secrets-operator',
    );
    expect(f.fix).toContain(
      'add dependsOn flux-system/external-secrets-operator to Kustomization flux-system/external-secrets-crs',
    );
    expect(f.objects.map(o => o.name)).toEqual([
      'external-secrets-crs',
      'external-secrets-operator',
    ]);
  });

  it('asks only for what is missing', () => {
    const operator = kustomization('external-secrets-operator', {
      spec: { wait: true },
    });
    const crs = kustomization('external-secrets-crs', {
      spec: { dependsOn: [{ name: 'external-secrets-operator' }] },
      conditions: notReady(
        'ReconciliationFailed',
        WEBHOOK_MESSAGE.replace(
          'connect: connection refused',
          'no endpoints available for service "external-secrets-webhook"',
        ),
      ),
    });
    const [f] = findings([...healthyEso(), operator, crs], 'WEBHOOK_RACE');
    expect(f.fix).not.toContain('wait: true');
    expect(f.fix).not.toContain('add dependsOn');
    expect(f.fix).toContain('retries');
  });

  it('asks to create the operator Kustomization when there is none', () => {
    const crs = kustomization('external-secrets-crs', {
      conditions: notReady('ReconciliationFailed', WEBHOOK_MESSAGE),
    });
    expect(findings([...healthyEso(), crs], 'WEBHOOK_RACE')[0].fix).toContain(
      'Create Kustomization flux-system/external-secrets-operator',
    );
  });

  it.each([
    [
      'another webhook',
      WEBHOOK_MESSAGE.replace(
        'validate.externalsecret.external-secrets.io',
        'validate.kyverno.svc',
      ),
    ],
    [
      'a different failure',
      WEBHOOK_MESSAGE.replace(
        'connect: connection refused',
        'context deadline exceeded',
      ),
    ],
  ])('does not fire for %s', (_n, message) => {
    const crs = kustomization('external-secrets-crs', {
      conditions: notReady('ReconciliationFailed', message),
    });
    expect(findings([...healthyEso(), crs], 'WEBHOOK_RACE')).toEqual([]);
  });
});
