#!/usr/bin/env node
// The adopter test's browser step (scripts/adopter-test.sh): in Debian's Chromium, sign in to the fresh app as
// guest, open the management cluster's entity page and wait for the gitops-secrets card — which the new frontend
// system found by itself (feature discovery), with its health chip filled from the backend plugin.
// Usage: node scripts/adopter-browser.js <app base URL> <screenshot.png>
const { chromium } = require('playwright-core');

const [base, screenshot] = process.argv.slice(2);

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  const page = await browser.newPage();
  try {
    await page.goto(base);
    await page
      .getByRole('button', { name: 'Enter' })
      .click({ timeout: 120_000 });
    await page.goto(`${base}/catalog/default/resource/management`);
    const card = page.getByTestId('gitops-secrets-card');
    await card.waitFor({ state: 'visible', timeout: 90_000 });
    const chip = card.getByTestId('health-chip').first();
    await chip.waitFor({ state: 'visible', timeout: 90_000 });
    console.log(`card found; management: ${await chip.innerText()}`);
    await page.screenshot({ path: screenshot, fullPage: true });
  } catch (e) {
    await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
    console.error(
      `card not shown: ${e.message.split('\n')[0]} (screenshot: ${screenshot})`,
    );
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
main();
