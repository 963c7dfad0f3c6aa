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
