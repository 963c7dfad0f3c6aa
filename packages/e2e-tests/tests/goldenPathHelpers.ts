import AxeBuilder from '@axe-core/playwright';
import { Locator, Page, expect } from '@playwright/test';

/** The GitHub API simulator of the demo portal (scripts/portal.sh), which serves the pull request pages. */
export const SIM_ORIGIN = /^http:\/\/(127\.0\.0\.1|localhost):7010$/;

/** Opens the Scaffolder's template list and chooses the template with this title, as a person would. */
export async function chooseTemplate(page: Page, title: string) {
  await page.goto('/create');
  const heading = page.getByRole('heading', {
    level: 4,
    name: title,
    exact: true,
  });
  await expect(heading).toBeVisible();
  const card = page.locator('.MuiCard-root').filter({ has: heading });
  await card.getByRole('button', { name: 'Choose' }).click();
  await expect(page).toHaveURL(/\/create\/templates\/default\//);
}

/** Picks a catalog entity in an EntityPicker field by typing part of its title and choosing the option. */
export async function pickEntity(
  page: Page,
  fieldId: string,
  typed: string,
  option: string | RegExp,
) {
  const input = page.locator(`#${fieldId}`);
  await expect(input).toBeEditable();
  await input.click();
  await input.fill(typed);
  await page
    .getByRole('option', { name: option, exact: typeof option === 'string' })
    .click();
}

/**
 * Chooses an option of a select field (the gitops-secrets pickers: MUI selects named by their label), as a person
 * would: open it, click the option whose name matches, and wait for the list to close.
 */
export async function pickOption(
  page: Page,
  label: string | RegExp,
  option: string | RegExp,
) {
  const select = page.getByRole('button', { name: label });
  await expect(select).toBeEnabled();
  await select.click();
  await page.getByRole('option', { name: option }).click();
  await expect(page.getByRole('listbox')).toBeHidden();
}

/** Submits the current form step and waits until the step with `nextField` (an id) is shown. */
export async function next(page: Page, nextField: string) {
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await expect(page.locator(`#${nextField}`)).toBeVisible();
}

/** From the last form step: Review, then Create; returns once the task page is open. */
export async function reviewAndCreate(page: Page) {
  await page.getByRole('button', { name: 'Review', exact: true }).click();
  const create = page.getByRole('button', { name: 'Create', exact: true });
  await expect(create).toBeEnabled();
  await create.click();
  await expect(page).toHaveURL(/\/create\/tasks\/[0-9a-f-]+$/, {
    timeout: 60_000,
  });
}

/**
 * Waits for the task to end and checks that it succeeded: the output holds the pull request link and the progress bar
 * is full. Returns that link.
 */
export async function expectTaskSucceeded(page: Page): Promise<Locator> {
  const prLink = page.getByRole('link', { name: /^Pull request\b/ });
  // Enabled once the task has ended, well or not (it can show beside the output): the task failed only if no
  // pull request link follows it.
  const startOver = page.locator('[data-testid="start-over-button"]:enabled');
  await expect(prLink.or(startOver).first()).toBeVisible({ timeout: 180_000 });
  if (!(await prLink.isVisible())) {
    try {
      await expect(prLink).toBeVisible({ timeout: 5_000 });
    } catch {
      const logs = await page.locator('main').innerText();
      throw new Error(`The task failed:\n${logs.slice(-4000)}`);
    }
  }
  await expect(
    page.locator('[role="progressbar"][aria-valuenow="100"]').first(),
  ).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Result' })).toBeVisible();
  return prLink;
}

/** Follows the output's pull request link (it opens a new tab, as every external link in Backstage does). */
export async function openPullRequest(
  page: Page,
  prLink: Locator,
): Promise<Page> {
  const href = await prLink.getAttribute('href');
  expect(href).toMatch(
    /^http:\/\/(127\.0\.0\.1|localhost):7010\/acme\/gitops\/pull\/\d+$/,
  );
  const [prPage] = await Promise.all([
    page.context().waitForEvent('page'),
    prLink.click(),
  ]);
  await prPage.waitForLoadState();
  await expect(prPage).toHaveURL(href!);
  return prPage;
}

/** The simulator's pull request page lists `files` in its table and shows each one's diff. */
export async function expectPullRequestFiles(prPage: Page, files: string[]) {
  await expect(prPage.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(
    prPage.getByRole('heading', { level: 2, name: /^Files changed \(\d+\)$/ }),
  ).toBeVisible();
  const table = prPage.getByRole('table', { name: /files? changed/ });
  for (const file of files) {
    await expect(
      table.getByRole('link', { name: file, exact: true }),
    ).toBeVisible();
    await expect(
      prPage.getByRole('region', { name: file, exact: true }),
    ).toBeVisible();
  }
}

/** axe-core on a whole page the project owns (the simulator's pages have no Backstage chrome). */
export async function expectNoAxeViolationsOnPage(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const summary = results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')),
  }));
  expect(summary).toEqual([]);
}
