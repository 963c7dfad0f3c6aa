import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { stagingCluster } from '../../testing/fixtures';
import { FindingList } from './FindingList';

const secretEvent = (status: ReturnType<typeof stagingCluster>) =>
  status.findings.find(f => f.code === 'SECRET_SYNC_ERROR')?.events?.[0];

describe('FindingList', () => {
  it('shows what a root cause blocks and what the controllers last said about it', async () => {
    const status = stagingCluster();
    await renderInTestApp(
      <FindingList findings={status.findings} cluster={status.cluster} />,
    );
    const findings = screen.getAllByTestId('finding');

    const source = findings.find(
      f => f.getAttribute('data-code') === 'SOURCE_FAILED',
    )!;
    expect(within(source).getByTestId('finding-blocks')).toHaveTextContent(
      /^Blocked by this: .*Kustomization flux-system\/podinfo/,
    );
    expect(within(source).getByTestId('finding-blocks')).toHaveTextContent(
      'HelmRelease flux-system/podinfo',
    );
    // No Events were read for it: no empty section.
    expect(within(source).queryByTestId('finding-events')).toBeNull();

    const secret = findings.find(
      f => f.getAttribute('data-code') === 'SECRET_SYNC_ERROR',
    )!;
    const events = within(secret).getByRole('list', {
      name: /^Recent events: /,
    });
    const [line] = within(events).getAllByRole('listitem');
    expect(line).toHaveTextContent(
      /^Warning UpdateFailed on ExternalSecret db-credentials \(×40\), .+: AccessDeniedException: .*secretsmanager:GetSecretValue/,
    );
    // When, relative, with the exact time on the <time> element.
    expect(line.querySelector('time')?.getAttribute('datetime')).toBe(
      secretEvent(status)!.lastTimestamp,
    );
    expect(within(secret).queryByTestId('finding-blocks')).toBeNull();
  });

  it('cuts a long event message', async () => {
    const status = stagingCluster();
    const [f] = status.findings.filter(x => x.events?.length);
    const long = {
      ...f,
      events: [{ ...f.events![0], message: 'x'.repeat(1000) }],
    };
    await renderInTestApp(<FindingList findings={[long]} cluster="c" />);
    expect(screen.getByText(/^x+…$/).textContent).toHaveLength(401);
  });
});
