import { startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { gitopsSecretsPlugin } from './plugin';

describe('gitopsSecretsPlugin', () => {
  it('mounts its router under /api/gitops-secrets', async () => {
    const { server } = await startTestBackend({
      features: [gitopsSecretsPlugin],
    });
    const res = await request(server).get('/api/gitops-secrets/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
