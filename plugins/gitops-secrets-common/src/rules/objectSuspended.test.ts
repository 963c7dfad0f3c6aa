import { healthyEso, kustomization } from '../testing/builders';
import { findings } from '../testing/rules';

describe('OBJECT_SUSPENDED', () => {
  it('fires for a suspended Flux object', () => {
    const [f] = findings(
      [...healthyEso(), kustomization('apps', { spec: { suspend: true } })],
      'OBJECT_SUSPENDED',
    );
    expect(f.severity).toBe('warning');
    expect(f.fix).toContain('flux resume kustomization apps -n flux-system');
  });

  it('does not fire otherwise', () => {
    expect(
      findings(
        [...healthyEso(), kustomization('apps', { spec: { suspend: false } })],
        'OBJECT_SUSPENDED',
      ),
    ).toEqual([]);
  });
});
