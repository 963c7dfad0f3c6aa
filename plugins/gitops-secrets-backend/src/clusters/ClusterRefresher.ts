import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Fleet } from '../cache/Fleet';
import type { ClusterDetails } from '../config/clusters';
import type { ClusterDirectory } from './ClusterDirectory';

/** The first lookup may hold the plugin's startup this long (a slow catalog); then it goes on in the background. */
const FIRST_LOOKUP_WAIT_MS = 10_000;
/** A source that failed (the catalog, before the backend serves) is asked again after 1 s, 2 s, 4 s… up to the interval. */
const FIRST_RETRY_MS = 1_000;

function warnSkipTls(logger: LoggerService, clusters: ClusterDetails[]) {
  for (const c of clusters) {
    if ('skipTLSVerify' in c.auth && c.auth.skipTLSVerify) {
      logger.warn(
        `gitops-secrets: cluster ${c.name} has skipTLSVerify: its API server's certificate is not checked`,
      );
    }
  }
}

/**
 * Keeps the fleet's clusters those of `gitopsSecrets.clusters` plus those the directory finds, looked
 * up when started and every `intervalMs` (sooner while a source fails). Clusters of
 * `gitopsSecrets.clusters` win a name clash.
 */
export class ClusterRefresher {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running?: Promise<void>;
  /** The last lookup failed, wholly or for one source. */
  private failed = false;

  constructor(
    private readonly options: {
      directory: ClusterDirectory;
      fleet: Fleet;
      own: ClusterDetails[];
      intervalMs: number;
      logger: LoggerService;
    },
  ) {
    warnSkipTls(options.logger, options.own);
  }

  /** Look up once (waiting at most FIRST_LOOKUP_WAIT_MS), then keep looking up in the background. */
  async start(): Promise<void> {
    let wait: NodeJS.Timeout | undefined;
    await Promise.race([
      this.refresh(),
      new Promise<void>(resolve => {
        wait = setTimeout(resolve, FIRST_LOOKUP_WAIT_MS);
      }),
    ]);
    clearTimeout(wait);
    this.schedule(FIRST_RETRY_MS / 2);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One lookup; concurrent callers share it. */
  refresh(): Promise<void> {
    this.running ??= this.lookUp().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Next lookup: after the interval, or (doubling from 1 s) sooner while a source fails. */
  private schedule(lastRetryMs: number): void {
    if (this.stopped) return;
    const { intervalMs } = this.options;
    const retryMs = Math.min(lastRetryMs * 2, intervalMs);
    this.timer = setTimeout(
      async () => {
        await this.refresh();
        this.schedule(this.failed ? retryMs : FIRST_RETRY_MS / 2);
      },
      this.failed ? retryMs : intervalMs,
    );
    // Never keep the process alive for housekeeping.
    this.timer.unref();
  }

  private async lookUp(): Promise<void> {
    const { directory, fleet, own, logger } = this.options;
    let found: ClusterDetails[];
    try {
      found = await directory.load();
      this.failed = directory.failedSources.length > 0;
    } catch (e) {
      this.failed = true;
      logger.warn(
        `gitops-secrets: looking up clusters failed (${(e as Error)?.name})`,
      );
      return;
    }
    const ownNames = new Set(own.map(c => c.name));
    const extra = found.filter(c => {
      if (!ownNames.has(c.name)) return true;
      logger.warn(
        `gitops-secrets: cluster '${c.name}' from ${c.source} has the name of a cluster in gitopsSecrets.clusters: skipped`,
      );
      return false;
    });
    const { added, removed, replaced } = fleet.setClusters([...own, ...extra]);
    warnSkipTls(
      logger,
      extra.filter(c => added.includes(c.name)),
    );
    if (added.length || removed.length || replaced.length) {
      const parts = [
        `gitops-secrets: ${fleet.names().length} cluster(s): ${fleet
          .names()
          .join(', ')}`,
        added.length ? `added ${added.join(', ')}` : '',
        removed.length ? `removed ${removed.join(', ')}` : '',
        replaced.length ? `changed ${replaced.join(', ')}` : '',
      ];
      logger.info(parts.filter(Boolean).join('; '));
    }
  }
}
