import { test, expect } from '@playwright/test';
import path from 'path';
import { enterAsGuest, screenshotDir } from './helpers';
import {
  clusterSection,
  expectNoAxeViolations,
  openCard,
  setClusterFaults,
} from './cardHelpers';

const shot = (name: string) => path.join(screenshotDir, `card-${name}.png`);

test.describe('GitOps secrets card', () => {
  test.beforeEach(async ({ page }) => {
    await enterAsGuest(page);
  });

  test('the healthy management cluster shows Healthy, its chain and leaf clusters', async ({
    page,
  }) => {
    const card = await openCard(page, 'resource', 'management');
    const section = clusterSection(card, 'management');
    await expect(section.getByTestId('health-chip')).toHaveText('Healthy');
    const chain = section.getByRole('list', { name: 'Chain on management' });
    await expect(chain.getByRole('listitem')).toHaveText([
      /^Sources/,
      /^ESO CRDs\s*v2\.9\.0/,
      /^Operator/,
      /^Secret stores/,
      /^ExternalSecrets.*synced, 0 failing, 0 stale/,
      /^Leaf clusters/,
    ]);
    await expect(
      section.getByRole('list', { name: 'Leaf clusters of management' }),
    ).toContainText('leaf-dev');
    // Exact time on hover.
    await expect(section.locator('time').first()).toHaveAttribute(
      'title',
      /\d{4}-\d{2}-\d{2}T/,
    );
    await card.screenshot({ path: shot('healthy') });
    await expectNoAxeViolations(page);
  });

  test('the CRD-race cluster shows the finding with its fix and kubectl command', async ({
    page,
  }) => {
    const card = await openCard(page, 'resource', 'crd-race');
    const section = clusterSection(card, 'crd-race');
    await expect(section.getByTestId('health-chip')).toHaveText('Degraded');
    const finding = section.locator(
      '[data-testid="finding"][data-code="CRD_RACE"]',
    );
    await expect(finding).toContainText('applied before the ESO CRDs');
    await expect(finding).toContainText('no matches for kind "ExternalSecret"');
    await expect(finding).toContainText(/Fix:.*external-secrets-crds/);
    await expect(finding.locator('code')).toContainText('kubectl --context');
    await expect(
      finding.getByRole('button', { name: /^Copy kubectl command/ }),
    ).toBeVisible();
    await card.screenshot({ path: shot('crd-race') });
    await expectNoAxeViolations(page);
  });

  test('the empty-state link opens the bootstrap template prefilled', async ({
    page,
  }) => {
    const card = await openCard(page, 'resource', 'no-eso');
    const empty = clusterSection(card, 'no-eso').getByTestId(
      'eso-not-installed',
    );
    const link = empty.getByRole('link', {
      name: 'Install ESO on no-eso with Flux',
    });
    await expect(link).toBeVisible();
    await card.screenshot({ path: shot('eso-not-installed') });
    await expectNoAxeViolations(page);

    // Keyboard reachable: focus the link and follow it with Enter.
    await link.focus();
    await expect(link).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(
      /\/create\/templates\/default\/eso-flux-bootstrap\?formData=/,
    );
    const formData = JSON.parse(
      new URL(page.url()).searchParams.get('formData')!,
    );
    expect(formData).toEqual({
      clusterPath: 'clusters/no-eso',
      cluster: 'resource:default/no-eso',
    });
    await expect(page.locator('#root_clusterPath')).toHaveValue(
      'clusters/no-eso',
    );
    await page.screenshot({ path: shot('bootstrap-template'), fullPage: true });
  });

  test('a black-holed cluster shows its error in its row while the others render', async ({
    page,
  }) => {
    // leaf-dev stops answering (connections accepted, never answered), as a cluster behind a dead link does.
    await setClusterFaults('leaf-dev', { blackhole: true });
    try {
      const card = await openCard(page, 'resource', 'leaf-dev');
      const section = clusterSection(card, 'leaf-dev');
      // A cache that was warm keeps answering until the backend notices; refresh until it reports the cluster.
      await expect(async () => {
        await card
          .getByRole('button', { name: 'Refresh GitOps secrets status' })
          .click();
        await expect(section.getByTestId('cluster-error')).toBeVisible({
          timeout: 5_000,
        });
      }).toPass({ timeout: 90_000, intervals: [2_000, 5_000] });
      await expect(section.getByTestId('cluster-error')).toContainText(
        /Timed out|Unreachable/,
      );
      await card.screenshot({ path: shot('blackholed') });
      await expectNoAxeViolations(page);

      // The other clusters are unaffected, while leaf-dev is still black-holed.
      const mgmt = await openCard(page, 'resource', 'management');
      await expect(
        clusterSection(mgmt, 'management').getByTestId('health-chip'),
      ).toHaveText('Healthy');
      const component = await openCard(page, 'component', 'payments-api');
      await expect(clusterSection(component, 'management')).toBeVisible();
      await page.screenshot({ path: shot('others-render'), fullPage: true });
    } finally {
      await setClusterFaults('leaf-dev', {});
    }
  });

  test('a Component that depends on a cluster has the card and the GitOps secrets tab', async ({
    page,
  }) => {
    const card = await openCard(page, 'component', 'payments-api');
    await expect(clusterSection(card, 'management')).toBeVisible();
    await expectNoAxeViolations(page);

    // The entity page's tabs are links in the new frontend system's layout.
    await page
      .getByRole('link', { name: 'GitOps secrets', exact: true })
      .click();
    await expect(page).toHaveURL(/\/gitops-secrets$/);
    await expect(
      page.getByRole('heading', { name: /^ExternalSecrets \(\d+\)$/ }),
    ).toBeVisible();
    await expect(
      page.getByRole('heading', { name: /^Flux objects \(\d+\)$/ }),
    ).toBeVisible();
    await page.screenshot({ path: shot('content-tab'), fullPage: true });
  });
});
