import { test, expect } from '@playwright/test';
import path from 'path';
import { enterAsGuest, screenshotDir } from './helpers';

test('a guest opens the catalog, sees the example entities and opens one', async ({
  page,
}) => {
  await enterAsGuest(page);

  // The catalog is the landing page; show Resources to see the demo clusters.
  await page.goto('/?filters[kind]=resource&filters[user]=all');
  await expect(
    page.getByRole('link', { name: 'Management cluster', exact: true }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Leaf cluster leaf-dev', exact: true }),
  ).toBeVisible();
  await page.screenshot({
    path: path.join(screenshotDir, 'catalog.png'),
    fullPage: true,
  });

  await page
    .getByRole('link', { name: 'Management cluster', exact: true })
    .click();
  await expect(page).toHaveURL(/\/catalog\/default\/resource\/management/);
  await expect(
    page.getByRole('heading', { level: 2, name: 'Management cluster' }),
  ).toBeVisible();
  await page.screenshot({
    path: path.join(screenshotDir, 'entity-management.png'),
    fullPage: true,
  });
});
