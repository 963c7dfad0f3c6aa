import { Page, expect } from '@playwright/test';
import path from 'path';

export const screenshotDir = path.resolve(__dirname, '../../../test-results/screenshots');

/** Signs in with the guest provider, as a newcomer to the demo portal would. */
export async function enterAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page.getByRole('navigation', { name: 'sidebar nav' }),
  ).toBeVisible();
}
