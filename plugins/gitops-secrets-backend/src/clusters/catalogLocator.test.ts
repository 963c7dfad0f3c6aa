import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  CatalogClusterSupplier,
  checkCatalogApiServerUrl,
} from './catalogLocator';

describe('checkCatalogApiServerUrl', () => {
  it.each<[string, string[] | undefined]>([
    ['https://8.8.8.8:443', undefined],
    ['https://[2001:4860:4860::8888]', undefined],
    ['https://127.0.0.1:6443', ['127.0.0.1']],
    ['http://k8s.internal.example', ['*.example']],
    ['https://internal.example', ['*.example']],
  ])('accepts %s (allowed: %j)', async (url, allowed) => {
    await expect(
      checkCatalogApiServerUrl(url, { dangerouslyAllowClusterUrls: allowed }),
    ).resolves.toBe(url);
  });

  it.each<[string, string[] | undefined, string]>([
    ['https://10.0.0.1:6443', undefined, 'non-public IP'],
    ['https://127.0.0.1:6443', undefined, 'non-public IP'],
    ['https://169.254.169.254', undefined, 'non-public IP'],
    ['https://[::1]:6443', undefined, 'non-public IP'],
    ['https://[fd00::1]', undefined, 'non-public IP'],
    ['https://[::ffff:8.8.8.8]', undefined, 'non-public IP'],
    ['https://localhost:6443', undefined, 'resolves to a non-public address'],
    ['http://8.8.8.8', undefined, 'must use HTTPS'],
    ['https://user:pw@8.8.8.8', undefined, 'must not contain credentials'],
    ['ftp://8.8.8.8', undefined, 'HTTP or HTTPS'],
    ['not a url', undefined, 'not a valid URL'],
  ])('refuses %s (allowed: %j): %s', async (url, allowed, error) => {
    await expect(
      checkCatalogApiServerUrl(url, { dangerouslyAllowClusterUrls: allowed }),
    ).rejects.toThrow(error);
  });
});

function cluster(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      title: `Cluster ${name}`,
      annotations,
    },
    spec: { type: 'kubernetes-cluster', owner: 'group:default/platform' },
  };
}

describe('CatalogClusterSupplier', () => {
  const base = {
    'kubernetes.io/api-server': 'https://8.8.8.8',
    'kubernetes.io/api-server-certificate-authority': 'Q0E=',
    'kubernetes.io/auth-provider': 'aws',
  };
  const entities = [
    cluster('eks', {
      ...base,
      'kubernetes.io/x-k8s-aws-id': 'prod',
      'kubernetes.io/aws-assume-role': 'arn:aws:iam::1:role/r',
      'kubernetes.io/skip-tls-verify': 'true',
      'gitops-secrets.io/cluster-name': 'ignored-here',
    }),
    cluster('sa', { ...base, 'kubernetes.io/auth-provider': 'serviceAccount' }),
    cluster('no-ca', {
      'kubernetes.io/api-server': 'https://8.8.8.8',
      'kubernetes.io/auth-provider': 'aws',
    }),
    cluster('private', {
      ...base,
      'kubernetes.io/api-server': 'https://10.1.2.3',
    }),
    {
      ...cluster('not-a-cluster', base),
      spec: { type: 'database', owner: 'group:default/platform' },
    },
  ];

  it.each([false, true])(
    'reads the clusters Backstage would read (dangerouslyAllowSkipTLSVerify: %s)',
    async allowSkip => {
      const logger = mockServices.logger.mock();
      const supplier = new CatalogClusterSupplier(
        catalogServiceMock({ entities }),
        mockServices.auth(),
        { dangerouslyAllowSkipTLSVerify: allowSkip },
        logger,
      );
      expect(await supplier.getClusters()).toEqual([
        {
          name: 'eks',
          title: 'Cluster eks',
          url: 'https://8.8.8.8',
          caData: 'Q0E=',
          skipTLSVerify: allowSkip,
          authMetadata: {
            ...base,
            'kubernetes.io/x-k8s-aws-id': 'prod',
            'kubernetes.io/aws-assume-role': 'arn:aws:iam::1:role/r',
            'kubernetes.io/skip-tls-verify': 'true',
          },
        },
      ]);
      const warned = logger.warn.mock.calls.map(c => String(c[0])).join('\n');
      expect(warned).toMatch(
        /"sa": the catalog cluster locator does not support the serviceAccount/,
      );
      expect(warned).toMatch(
        /"private": the API server URL must not use a non-public IP/,
      );
    },
  );
});
