import AxeBuilder from '@axe-core/playwright';
import { test, expect, Page } from '@playwright/test';
import path from 'path';
import { enterAsGuest, screenshotDir } from './helpers';
import {
  chooseTemplate,
  expectTaskSucceeded,
  next,
  openPullRequest,
  pickOption,
  reviewAndCreate,
} from './goldenPathHelpers';

const shot = (name: string) => path.join(screenshotDir, `pickers-${name}.png`);

/*
 * Issue 16: the scaffolder pickers of @golden-gitops/plugin-gitops-secrets in the real forms of the demo portal, with
 * the live state of the simulated fleet (packages/kube-api-sim/fixtures): management runs ESO with a Ready
 * ClusterSecretStore aws-secrets-manager; no-eso runs Flux only; invalid-store's SecretStore team-a/vault-backend is
 * not Ready (InvalidProviderConfig). Every demo cluster has a catalog entity, so "not selectable" is covered by the
 * unit tests (GitopsClusterPicker.test.tsx) only.
 */

/** axe-core on the picker fields and, when open, their option list (the rest of the page belongs to Backstage). */
async function expectNoAxeViolations(page: Page) {
  let axe = new AxeBuilder({ page })
    .include('[data-testid$="-picker"]')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']);
  if (await page.getByRole('listbox').isVisible())
    axe = axe.include('[role="listbox"]');
  const results = await axe.analyze();
  const summary = results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')),
  }));
  expect(summary).toEqual([]);
}

/**
 * Opens `template` and the cluster picker labelled `label` once the backend's watch cache has read `cluster` (right
 * after the portal starts, a big cluster is listed as "Unknown, not reachable" for a while — what a person would see
 * too — and the picker reads the list when the form opens).
 */
async function openWhenRead(
  page: Page,
  template: string,
  label: RegExp,
  cluster: RegExp,
) {
  await expect(async () => {
    await chooseTemplate(page, template);
    const select = page.getByRole('button', { name: label });
    await expect(select).toBeEnabled();
    await select.click();
    await expect(page.getByRole('option', { name: cluster })).not.toContainText(
      'not reachable',
      { timeout: 2_000 },
    );
  }).toPass({ timeout: 240_000, intervals: [10_000] });
}

test.describe('Scaffolder pickers in the real forms', () => {
  test.beforeEach(async ({ page }) => {
    await enterAsGuest(page);
  });

  test('ExternalSecret: a cluster running ESO and a live, Ready store; the task opens the pull request', async ({
    page,
  }) => {
    const name = `pk-${Date.now().toString(36)}`;
    // GitopsClusterPicker with eso: installed: live state in each option, and no cluster where the backend sees no
    // ESO (no-eso runs Flux only; crd-race, in its CRD race).
    await openWhenRead(
      page,
      'ExternalSecret for an app',
      /^Cluster\b/,
      /^management\b/,
    );
    const options = page.getByRole('option');
    await expect(
      page.getByRole('option', { name: /^management\b/ }),
    ).toContainText('ESO: ready');
    await expect(page.getByRole('option', { name: /^no-eso\b/ })).toHaveCount(
      0,
    );
    await expect(page.getByRole('option', { name: /^crd-race\b/ })).toHaveCount(
      0,
    );
    expect(await options.count()).toBeGreaterThan(2);
    for (const text of await options.allTextContents())
      expect(text).toMatch(/ESO: (ready|not ready), \d+ stores?|not reachable/);
    await expectNoAxeViolations(page);
    await page.screenshot({ path: shot('cluster-options'), fullPage: true });
    await page.getByRole('option', { name: /^management\b/ }).click();
    await expect(page.getByRole('listbox')).toBeHidden();
    await expect(page.getByTestId('gitops-cluster-picker')).toContainText(
      'ESO: ready',
    );

    await next(page, 'root_name');
    await page.locator('#root_name').fill(name);
    await page.locator('#root_namespace').fill('payments');

    // SecretStorePicker: the stores of management for namespace payments, with kind, provider and Ready.
    const store = page.getByRole('button', { name: /^Secret store\b/ });
    await expect(store).toBeEnabled();
    await store.click();
    const aws = page.getByRole('option', { name: /^aws-secrets-manager\b/ });
    await expect(aws).toContainText('ClusterSecretStore');
    await expect(aws).toContainText('· Ready');
    await expectNoAxeViolations(page);
    await page.screenshot({ path: shot('store-options'), fullPage: true });
    await aws.click();
    await expect(page.getByRole('listbox')).toBeHidden();
    await expect(store).toContainText(
      /aws-secrets-manager \(ClusterSecretStore\)/,
    );
    await expectNoAxeViolations(page);

    await page.getByRole('button', { name: 'Next', exact: true }).click();
    // One key from the provider.
    await page.getByRole('button', { name: /^Add/i }).first().click();
    await page.locator('#root_data_0_secretKey').fill('password');
    await page.locator('#root_data_0_remoteRef_key').fill('payments/db');
    await reviewAndCreate(page);
    const prLink = await expectTaskSucceeded(page);
    const prPage = await openPullRequest(page, prLink);
    await expect(prPage.locator('body')).toContainText('aws-secrets-manager');
    await expect(prPage.locator('body')).toContainText(`name: ${name}`);
  });

  test('SecretStorePicker marks a store that is not Ready, and warns when it is chosen', async ({
    page,
  }) => {
    await chooseTemplate(page, 'ExternalSecret for an app');
    await pickOption(page, /^Cluster\b/, /^invalid-store\b/);
    await next(page, 'root_name');
    await page.locator('#root_namespace').fill('team-a');
    await page.getByRole('button', { name: /^Secret store\b/ }).click();
    const vault = page.getByRole('option', { name: /^vault-backend\b/ });
    await expect(vault).toContainText('SecretStore in team-a');
    await expect(vault).toContainText('Not ready (InvalidProviderConfig)');
    await vault.click();
    await expect(
      page.getByRole('alert').filter({ hasText: 'not Ready' }),
    ).toContainText('the ExternalSecret will not sync until it is');
    await expectNoAxeViolations(page);
    await page.screenshot({ path: shot('store-not-ready'), fullPage: true });
  });

  test(
    'Leaf cluster: a template from the list, only its declared params filled; the task opens the pull request',
    async ({ page }) => {
      const clusterName = `pk-${Date.now().toString(36)}`;
      await openWhenRead(
        page,
        'Leaf cluster (Cluster API)',
        /^Management cluster\b/,
        /^management\b/,
      );
      await page.getByRole('option', { name: /^management\b/ }).click();

      const template = page.getByRole('button', { name: /^Template\b/ });
      await expect(template).toBeEnabled();
      await template.click();
      await expect(
        page.getByRole('option', { name: /^leaf-cluster\b/ }),
      ).toContainText('CAPITemplate');
      await expectNoAxeViolations(page);
      await page.getByRole('option', { name: /^leaf-cluster\b/ }).click();
      await expect(page.getByRole('listbox')).toBeHidden();

      // The declared params as inputs: required marked, defaults prefilled.
      const params = page.getByRole('group', {
        name: 'Parameters of leaf-cluster',
      });
      await expect(params).toBeVisible();
      const name = params.getByRole('textbox', { name: /^CLUSTER_NAME/ });
      await expect(name).toHaveAttribute('required', '');
      await expect(
        params.getByRole('textbox', { name: /^NAMESPACE/ }),
      ).toHaveValue('default');
      await name.fill(clusterName);
      await expectNoAxeViolations(page);
      await page.screenshot({ path: shot('template-params'), fullPage: true });

      await next(page, 'root_secretsBootstrap');
      await next(page, 'root_draft');
      await reviewAndCreate(page);
      const prLink = await expectTaskSucceeded(page);
      const prPage = await openPullRequest(page, prLink);
      await expect(prPage.locator('body')).toContainText(
        `clusters/management/clusters/default/${clusterName}.yaml`,
      );
    },
  );
});
