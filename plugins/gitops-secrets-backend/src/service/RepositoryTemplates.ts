import type {
  LoggerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import type { SlimObject } from '@golden-gitops/plugin-gitops-secrets-common';
import { templatesInYaml } from './templates';

/*
 * The templates a folder of the GitOps repository holds, for the template picker when the management cluster
 * cannot be read. Read with Backstage's UrlReader (so any configured integration, with its credentials and
 * `backend.reading.allow` rules), kept a short while and revalidated by commit (the reader's etag), so a picker
 * that pages or is opened by many people costs one tree read per commit, not one per request.
 */

/** One template found, with its file relative to the folder read. */
export interface RepositoryTemplate {
  obj: SlimObject;
  file: string;
}

export interface RepositoryRead {
  templates: RepositoryTemplate[];
  /** YAML files skipped as too large or beyond the file limit. */
  skippedFiles: number;
}

export interface RepositoryTemplatesOptions {
  reader: UrlReaderService;
  logger: LoggerService;
  /** How long an answer is used without asking the repository again. Default 60 s. */
  ttlMs?: number;
  /** Give up on a read after this long. Default 15 s. */
  timeoutMs?: number;
  /** Largest YAML file read. Default 1 MiB (templates are a few KiB). */
  maxFileBytes?: number;
  /** Most YAML files read per folder. Default 2000. */
  maxFiles?: number;
  now?: () => number;
}

const MAX_ENTRIES = 50;
const YAML = /\.ya?ml$/i;

interface Entry {
  at: number;
  etag: string;
  read: RepositoryRead;
}

export class RepositoryTemplates {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<RepositoryRead>>();
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private readonly maxFileBytes: number;
  private readonly maxFiles: number;
  private readonly now: () => number;

  constructor(private readonly options: RepositoryTemplatesOptions) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxFileBytes = options.maxFileBytes ?? 1024 * 1024;
    this.maxFiles = options.maxFiles ?? 2000;
    this.now = options.now ?? Date.now;
  }

  /** The templates under the folder `url` names (a tree URL the UrlReader accepts). Rejects when it cannot read. */
  read(url: string): Promise<RepositoryRead> {
    const entry = this.entries.get(url);
    if (entry && this.now() - entry.at < this.ttlMs)
      return Promise.resolve(entry.read);
    let p = this.inFlight.get(url);
    if (!p) {
      p = this.fetch(url, entry).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, p);
    }
    return p;
  }

  private async fetch(url: string, cached?: Entry): Promise<RepositoryRead> {
    let files = 0;
    let skippedFiles = 0;
    try {
      const tree = await this.options.reader.readTree(url, {
        etag: cached?.etag,
        signal: AbortSignal.timeout(this.timeoutMs),
        filter: (path, info) => {
          if (!YAML.test(path)) return false;
          if ((info?.size ?? 0) > this.maxFileBytes || files >= this.maxFiles) {
            skippedFiles++;
            return false;
          }
          files++;
          return true;
        },
      });
      const templates: RepositoryTemplate[] = [];
      for (const f of await tree.files()) {
        const text = (await f.content()).toString('utf8');
        for (const obj of templatesInYaml(text))
          templates.push({ obj, file: f.path });
      }
      const read = { templates, skippedFiles };
      this.remember(url, { at: this.now(), etag: tree.etag, read });
      return read;
    } catch (e) {
      // By name: the reader may come from another copy of @backstage/errors.
      if (cached && (e as Error)?.name === 'NotModifiedError') {
        this.remember(url, { ...cached, at: this.now() });
        return cached.read;
      }
      throw e;
    }
  }

  private remember(url: string, entry: Entry) {
    this.entries.delete(url);
    this.entries.set(url, entry);
    while (this.entries.size > MAX_ENTRIES)
      this.entries.delete(this.entries.keys().next().value!);
  }
}
