import type { ClusterErrorType, FindingCode } from '../model';
import { kustomization } from '../testing/builders';
import { run } from '../testing/rules';

describe('cluster errors', () => {
  it.each([
    ['UNREACHABLE', 'CLUSTER_UNREACHABLE', false],
    ['TIMEOUT', 'CLUSTER_TIMEOUT', false],
    ['UNAUTHORIZED', 'CLUSTER_UNAUTHORIZED', false],
    ['FORBIDDEN', 'CLUSTER_FORBIDDEN', false],
    ['NOT_CONFIGURED', 'CLUSTER_NOT_CONFIGURED', false],
    ['UNSUPPORTED_API', 'UNSUPPORTED_API', true],
    ['UNKNOWN', 'CLUSTER_ERROR', false],
  ] as Array<[ClusterErrorType, FindingCode, boolean]>)(
    '%s → %s',
    (type, code, reachable) => {
      // Objects that would otherwise produce findings: with an error, rules do not run on them.
      const status = run([kustomization('apps', { spec: { suspend: true } })], {
        servedVersions: {},
        error: { type, message: 'connect ECONNREFUSED' },
      });
      expect(status.findings.map(f => f.code)).toEqual([code]);
      expect(status.findings[0].detail).toBe('connect ECONNREFUSED');
      expect(status.health).toBe('Unknown');
      expect(status.reachable).toBe(reachable);
      expect(status.error).toEqual({ type, message: 'connect ECONNREFUSED' });
    },
  );
});
