import { defineConfig } from '@playwright/test';
import path from 'path';

const root = path.resolve(__dirname, '../..');

/**
 * Browser tests against the local demo portal, in Debian's Chromium (`npx playwright install` cannot
 * download browsers here). The portal (simulators + backend + app dev server) is started once for all specs.
 */
export default defineConfig({
  testDir: './tests',
  timeout: 360_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  outputDir: path.join(root, 'test-results/e2e-artifacts'),
  webServer: {
    command: 'bash ../../scripts/portal.sh',
    // Ready when the backend is (the app's dev server answers long before it).
    url: 'http://localhost:7007/.backstage/health/v1/readiness',
    reuseExistingServer: !process.env.CI,
    timeout: 300_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  use: {
    baseURL: 'http://localhost:3000',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
