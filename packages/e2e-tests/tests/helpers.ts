import { Page, expect } from '@playwright/test';
import path from 'path';

export const screenshotDir = path.resolve(__dirname, '../../../test-results/screenshots');

/** Signs in with the guest provider, as a newcomer to the demo portal would. */
export async function enterAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  // The dev server compiles the app on the first visit: minutes on two cores.
  await expect(enter).toBeVisible({ timeout: 240_000 });
  await enter.click();
  // Signed in: the landing page (the catalog) renders its title.
  await expect(
    page.getByRole('heading', { level: 1, name: 'Catalog' }),
  ).toBeVisible();
}
