import { gitopsSecretsPlugin } from './plugin';

describe('gitops-secrets', () => {
  it('is the gitops-secrets plugin', () => {
    expect(gitopsSecretsPlugin.getId()).toBe('gitops-secrets');
  });
});
