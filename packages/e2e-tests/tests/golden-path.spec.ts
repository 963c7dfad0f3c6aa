import { test, expect, Page } from '@playwright/test';
import path from 'path';
import { enterAsGuest, screenshotDir } from './helpers';
import {
  chooseTemplate,
  expectNoAxeViolationsOnPage,
  expectPullRequestFiles,
  expectTaskSucceeded,
  next,
  openPullRequest,
  pickOption,
  reviewAndCreate,
} from './goldenPathHelpers';

const shot = (name: string) =>
  path.join(screenshotDir, `golden-path-${name}.png`);

/*
 * Issues 4 and 5: in the demo portal a person runs both templates and opens the resulting pull request on the
 * GitHub simulator. The demo repository (.demo/repos, seeded from packages/github-api-sim/demo-repo) outlives a run,
 * so the bootstrap of clusters/no-eso may find its pull request from an earlier run (the action then answers with
 * that one), and each leaf cluster gets a new name.
 */
test.describe.configure({ mode: 'serial' });

test.describe('Golden path: templates open pull requests on the GitHub simulator', () => {
  const pullRequests: Record<'eso' | 'leaf', string | undefined> = {
    eso: undefined,
    leaf: undefined,
  };

  test.beforeEach(async ({ page }) => {
    await enterAsGuest(page);
  });

  test('External Secrets Operator on Flux for a cluster without ESO: the task succeeds and its PR lists the files', async ({
    page,
  }) => {
    await chooseTemplate(page, 'External Secrets Operator on Flux');

    // Step 1: repository (prefilled with the demo repository) and cluster.
    await pickOption(page, /^Cluster\b/, /^no-eso\b/);
    await page.locator('#root_clusterPath').fill('clusters/no-eso');
    await page.screenshot({ path: shot('eso-form'), fullPage: true });
    // Steps 2-4 keep their defaults: ESO 2.9.0 from Helm, an AWS ClusterSecretStore, labels.
    await next(page, 'root_esoVersion');
    await expect(page.locator('#root_esoVersion')).toHaveValue('2.9.0');
    await next(page, 'root_store_name');
    await next(page, 'root_draft');
    await reviewAndCreate(page);

    const prLink = await expectTaskSucceeded(page);
    await page.screenshot({ path: shot('eso-task'), fullPage: true });

    const prPage = await openPullRequest(page, prLink);
    pullRequests.eso = prPage.url();
    await expectPullRequestFiles(prPage, [
      'clusters/no-eso/external-secrets/kustomization.yaml',
      'clusters/no-eso/external-secrets/sources.yaml',
      'clusters/no-eso/external-secrets/crds.yaml',
      'clusters/no-eso/external-secrets/operator.yaml',
      'clusters/no-eso/external-secrets/crs.yaml',
      'clusters/no-eso/external-secrets/operator/helmrelease.yaml',
    ]);
    await expect(
      prPage.getByRole('region', {
        name: 'clusters/no-eso/external-secrets/crds.yaml',
        exact: true,
      }),
    ).toContainText('+  name: external-secrets-crds');
    await expectBranches(prPage, 'main');
    // The top of the page as a person first sees it, and the list of files.
    await prPage.screenshot({ path: shot('eso-pull-request') });
    await prPage
      .getByRole('table', { name: /files? changed/ })
      .screenshot({ path: shot('eso-pull-request-files') });
  });

  test(
    'Leaf cluster with a new name: the task succeeds and its PR lists the cluster and its secrets bootstrap',
    async ({ page }) => {
      const clusterName = `gp-${Date.now().toString(36)}`;
      await chooseTemplate(page, 'Leaf cluster (Cluster API)');

      // Step 1: the management cluster, whose folder holds the leaf-cluster CAPITemplate.
      await pickOption(page, /^Management cluster\b/, /^management\b/);
      await pickOption(page, /^Template\b/, /^leaf-cluster\b/);
      // Only what the template declares; CLUSTER_NAME is the one without a default.
      await page.locator('#root_template-param-CLUSTER_NAME').fill(clusterName);
      await page.screenshot({ path: shot('leaf-form'), fullPage: true });
      await next(page, 'root_secretsBootstrap');
      await next(page, 'root_draft');
      await reviewAndCreate(page);

      const prLink = await expectTaskSucceeded(page);
      await page.screenshot({ path: shot('leaf-task'), fullPage: true });

      const prPage = await openPullRequest(page, prLink);
      pullRequests.leaf = prPage.url();
      // gitops:cluster:create-leaf (docs/cluster-actions.md): the rendered cluster under the management folder and
      // the leaf's own Flux path applying the shared secrets bootstrap.
      const clusterFile = `clusters/management/clusters/default/${clusterName}.yaml`;
      await expectPullRequestFiles(prPage, [
        clusterFile,
        `clusters/default/${clusterName}/secrets-bootstrap.yaml`,
      ]);
      await expect(
        prPage.getByRole('region', { name: clusterFile, exact: true }),
      ).toContainText(`name: ${clusterName}`);
      await expectBranches(prPage, 'main');
      // The top of the page as a person first sees it, and the list of files.
      await prPage.screenshot({ path: shot('leaf-pull-request') });
      await prPage
        .getByRole('table', { name: /files? changed/ })
        .screenshot({ path: shot('leaf-pull-request-files') });
    },
  );

  test('the simulator pages a person lands on have no axe violations', async ({
    page,
  }) => {
    test.skip(
      !pullRequests.eso || !pullRequests.leaf,
      'needs the pull requests of the tests above',
    );
    for (const url of [pullRequests.eso!, pullRequests.leaf!]) {
      await page.goto(url);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expectNoAxeViolationsOnPage(page);
    }
    // From a pull request to the list of pull requests, by keyboard-reachable links.
    await page
      .getByRole('navigation', { name: 'Repository' })
      .getByRole('link', { name: 'Pull requests' })
      .click();
    await expect(
      page.getByRole('heading', { level: 1, name: 'Pull requests' }),
    ).toBeVisible();
    await page.getByRole('link', { name: /^All \(\d+\)$/ }).click();
    const list = page.getByRole('table', {
      name: /pull requests? in acme\/gitops/,
    });
    for (const url of [pullRequests.eso!, pullRequests.leaf!]) {
      await expect(
        list.locator(`a[href="${new URL(url).pathname}"]`),
      ).toBeVisible();
    }
    await expectNoAxeViolationsOnPage(page);
    await page.screenshot({ path: shot('pull-requests'), fullPage: true });
  });
});

/** The page names the base branch and links the head branch (it still exists: the PR is open). */
async function expectBranches(prPage: Page, base: string) {
  const branches = prPage
    .getByRole('term')
    .filter({ hasText: /^Branches$/ })
    .locator('xpath=following-sibling::dd[1]');
  await expect(branches).toContainText(base);
  await expect(branches.getByRole('link')).toHaveCount(2);
}
