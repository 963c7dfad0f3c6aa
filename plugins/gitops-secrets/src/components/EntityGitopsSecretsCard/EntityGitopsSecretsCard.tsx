import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useEntityGitopsSecretsSummary } from '../../hooks/useEntityGitopsSecretsSummary';
import { StatusBody } from '../shared/StatusBody';
import { RefreshButton, StatusSummary } from '../shared/StatusHeader';

/** @public */
export interface EntityGitopsSecretsCardProps {
  /** Card title. Default "GitOps secrets". */
  title?: string;
  /** Polling interval in ms (default 30 000; 0 turns polling off). */
  pollIntervalMs?: number;
}

/**
 * Do my secrets arrive, and if not, what do I do? ESO and Flux status of the
 * entity's clusters: health, the chain from sources to ExternalSecrets, and
 * findings with their fix.
 *
 * @public
 */
export function EntityGitopsSecretsCard(props: EntityGitopsSecretsCardProps) {
  const { entity } = useEntity();
  // The summary, not the whole status: the card shows counts, findings and the worst objects.
  const state = useEntityGitopsSecretsSummary(entity, {
    intervalMs: props.pollIntervalMs,
  });
  return (
    <div data-testid="gitops-secrets-card">
      <InfoCard
        title={props.title ?? 'GitOps secrets'}
        titleTypographyProps={{ component: 'h2' }}
        subheader={<StatusSummary state={state} />}
        action={<RefreshButton state={state} />}
      >
        <StatusBody entity={entity} state={state} compact />
      </InfoCard>
    </div>
  );
}
