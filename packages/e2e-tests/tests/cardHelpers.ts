import AxeBuilder from '@axe-core/playwright';
import { Locator, Page, expect } from '@playwright/test';
import fs from 'fs';
import https from 'https';
import path from 'path';
import { parse } from 'yaml';

/** Written by scripts/portal.sh: one context per simulated cluster, with its admin token. */
const KUBECONFIG = path.resolve(__dirname, '../../../.demo/kubeconfig');

interface SimTarget {
  url: string;
  ca: Buffer;
  token: string;
}

function simTarget(cluster: string): SimTarget {
  const doc = parse(fs.readFileSync(KUBECONFIG, 'utf8'));
  const context = doc.contexts.find((c: any) => c.name === cluster)?.context;
  if (!context) throw new Error(`No context ${cluster} in ${KUBECONFIG}`);
  const entry = doc.clusters.find((c: any) => c.name === context.cluster);
  const user = doc.users.find((u: any) => u.name === context.user);
  return {
    url: entry.cluster.server,
    ca: Buffer.from(entry.cluster['certificate-authority-data'], 'base64'),
    token: user.user.token,
  };
}

/**
 * Replaces a simulated cluster's faults through its admin API (`PUT /_sim/faults`),
 * which is never faulted itself, so `{}` always clears a black hole.
 */
export async function setClusterFaults(
  cluster: string,
  faults: Record<string, unknown>,
): Promise<void> {
  const target = simTarget(cluster);
  const body = JSON.stringify(faults);
  await new Promise<void>((resolve, reject) => {
    const req = https.request(
      `${target.url}/_sim/faults`,
      {
        method: 'PUT',
        ca: target.ca,
        headers: {
          authorization: `Bearer ${target.token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        timeout: 10_000,
      },
      res => {
        res.resume();
        res.on('end', () =>
          res.statusCode && res.statusCode < 300
            ? resolve()
            : reject(
                new Error(`PUT /_sim/faults on ${cluster}: ${res.statusCode}`),
              ),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens an entity's page and returns its GitOps secrets card. */
export async function openCard(
  page: Page,
  kind: string,
  name: string,
): Promise<Locator> {
  await page.goto(`/catalog/default/${kind}/${name}`);
  const card = page.getByTestId('gitops-secrets-card');
  await expect(card).toBeVisible();
  return card;
}

/** The section of one cluster inside the card (a region named after the cluster). */
export function clusterSection(card: Locator, cluster: string): Locator {
  return card.getByRole('region', { name: cluster, exact: true });
}

/** axe-core on the card only (the rest of the page belongs to Backstage). */
export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .include('[data-testid="gitops-secrets-card"]')
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
