import { createHash } from 'node:crypto';

/** A JSON answer serialized once: the bytes to send and their entity tag. */
export interface SerializedAnswer {
  readonly body: Buffer;
  /** Weak ETag of the body (as Express would compute it, computed once). */
  readonly etag: string;
}

const versions = new WeakMap<object, number>();
let nextVersion = 1;

/**
 * A number per object identity. The statuses an answer is built from are the
 * cluster caches' cached summaries, which are never mutated: a cache hands out
 * the same object while nothing changed on its cluster (its change generation
 * — bumped on every added, modified or deleted object, relist, error or
 * connection change — is the same) and `summaryTtl` has not passed, and a new
 * one otherwise. Answers for a cluster that timed out or is not configured are
 * new objects every time, so they are never reused.
 */
function versionOf(part: object): number {
  let v = versions.get(part);
  if (v === undefined) {
    v = nextVersion++;
    versions.set(part, v);
  }
  return v;
}

function etagOf(body: Buffer): string {
  const hash = createHash('sha1').update(body).digest('base64').slice(0, 27);
  return `W/"${body.length.toString(16)}-${hash}"`;
}

export interface AnswerCacheOptions {
  /** Answers kept (least recently used dropped first). Default 100. */
  maxEntries?: number;
  /** Bytes of answers kept. Default 32 MiB. */
  maxBytes?: number;
}

/**
 * Serialized answers per key (e.g. entity and `limit`), reused while the
 * parts they were built from are the same objects. Turning a status of a
 * thousand objects into JSON costs more than everything else a request does;
 * this does it once per change instead of once per request.
 */
export class AnswerCache {
  private readonly entries = new Map<
    string,
    { version: string; answer: SerializedAnswer }
  >();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private totalBytes = 0;
  hits = 0;
  misses = 0;

  constructor(options: AnswerCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * The answer for `key`, built from `parts`: the bytes kept for `key` when
   * they were built from these very objects, else `build()` serialized (and
   * kept). `build` must depend only on `key` and `parts`.
   */
  get(
    key: string,
    parts: readonly object[],
    build: () => unknown,
  ): SerializedAnswer {
    const version = parts.map(versionOf).join(',');
    const hit = this.entries.get(key);
    if (hit && hit.version === version) {
      this.hits++;
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.answer;
    }
    this.misses++;
    const body = Buffer.from(JSON.stringify(build()), 'utf8');
    const answer: SerializedAnswer = { body, etag: etagOf(body) };
    this.remove(key);
    if (body.length <= this.maxBytes) {
      this.entries.set(key, { version, answer });
      this.totalBytes += body.length;
      for (const [k] of this.entries) {
        if (
          this.entries.size <= this.maxEntries &&
          this.totalBytes <= this.maxBytes
        ) {
          break;
        }
        this.remove(k);
      }
    }
    return answer;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.answer.body.length;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }
}
