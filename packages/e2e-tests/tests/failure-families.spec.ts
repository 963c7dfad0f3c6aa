import { test, expect } from '@playwright/test';
import path from 'path';
import { enterAsGuest, screenshotDir } from './helpers';
import { clusterSection, expectNoAxeViolations, openCard } from './cardHelpers';

/**
 * The demo cluster leaf-staging (packages/kube-api-sim/fixtures/leaf-staging) holds one case of each failure
 * family issue 13 added: a failing HelmRelease chain, named at its source with what it blocks, and an AWS
 * permission error that only the ExternalSecret's Events explain (read on demand by the backend).
 */
test('leaf-staging shows the failing HelmRelease chain at its source and the AWS denial from Events', async ({
  page,
}) => {
  await enterAsGuest(page);
  const card = await openCard(page, 'resource', 'leaf-staging');
  const section = clusterSection(card, 'leaf-staging');
  await expect(section.getByTestId('health-chip')).toHaveText('Degraded');

  const source = section.locator(
    '[data-testid="finding"][data-code="SOURCE_FAILED"]',
  );
  await expect(source).toHaveCount(1);
  await expect(source).toContainText('HelmRepository flux-system/podinfo');
  await expect(source).toContainText(
    'x509: certificate signed by unknown authority',
  );
  await expect(source).toContainText(/Fix:.*certSecretRef/);
  await expect(source.getByTestId('finding-blocks')).toContainText(
    'HelmRelease flux-system/podinfo',
  );
  await expect(source.getByTestId('finding-blocks')).toContainText(
    'Kustomization flux-system/podinfo-ingress',
  );

  const denied = section.locator(
    '[data-testid="finding"][data-code="SECRET_SYNC_ERROR"]',
  );
  await expect(denied).toHaveCount(1);
  await expect(denied).toContainText(
    /Fix:.*Allow secretsmanager:GetSecretValue/,
  );
  const events = denied.getByRole('list', { name: /^Recent events: / });
  await expect(events.getByRole('listitem').first()).toContainText(
    /Warning UpdateFailed on ExternalSecret .*AccessDeniedException/,
  );

  await card.screenshot({
    path: path.join(screenshotDir, 'card-failure-families.png'),
  });
  await expectNoAxeViolations(page);
});

/**
 * The demo cluster leaf-uat (packages/kube-api-sim/fixtures/leaf-uat) holds one case of each remaining family:
 * a Kustomization that cannot build, a HelmRelease out of retries while its source is healthy, ESO's conversion
 * webhook failing (version skew) and a store ESO could not verify. Each is one finding with its own fix.
 */
test('leaf-uat shows one finding per family: build, HelmRelease retries, conversion webhook, unverified store', async ({
  page,
}) => {
  await enterAsGuest(page);
  const card = await openCard(page, 'resource', 'leaf-uat');
  const section = clusterSection(card, 'leaf-uat');
  await expect(section.getByTestId('health-chip')).toHaveText('Degraded');
  const byCode = (code: string) =>
    section.locator(`[data-testid="finding"][data-code="${code}"]`);

  const build = byCode('KUSTOMIZATION_FAILED');
  await expect(build).toHaveCount(1);
  await expect(build).toContainText('Kustomization flux-system/apps');
  await expect(build).toContainText(
    /Fix:.*storefront-worker\.yaml.*flux reconcile kustomization apps .*--with-source/,
  );

  const release = byCode('HELMRELEASE_FAILED');
  await expect(release).toHaveCount(1);
  await expect(release).toContainText('HelmRelease flux-system/podinfo');
  await expect(release).toContainText(
    /Fix:.*flux reconcile helmrelease podinfo .*--reset.*spec\.upgrade\.remediation\.retries/,
  );
  await expect(release.getByTestId('finding-blocks')).toContainText(
    'Kustomization flux-system/podinfo',
  );
  // Its chart source is healthy, so nothing is reported on it.
  await expect(byCode('SOURCE_FAILED')).toHaveCount(0);

  const conversion = byCode('ESO_CONVERSION_FAILED');
  await expect(conversion).toHaveCount(1);
  await expect(conversion).toContainText(
    'Kustomization flux-system/team-secrets',
  );
  await expect(conversion).toContainText(
    /Fix:.*same ESO release.*Do not change apiVersions/,
  );
  await expect(byCode('REMOVED_API_VERSION')).toHaveCount(0);

  const unverified = byCode('STORE_UNVERIFIED');
  await expect(unverified).toHaveCount(1);
  await expect(unverified).toContainText(
    'ClusterSecretStore cluster-kubernetes',
  );
  await expect(unverified).toContainText(/Fix:.*untested/);

  await card.screenshot({
    path: path.join(screenshotDir, 'card-failure-families-uat.png'),
  });
  await expectNoAxeViolations(page);
});
