import type { PublishedBody, PublishedHead } from './published';
import { remoteInputs } from './published';

const body: PublishedBody = {
  version: 'r1:1',
  objects: [],
  servedVersions: { 'externalsecrets.external-secrets.io': 'v1' },
};
const at = 1_000_000;

describe('remoteInputs', () => {
  it.each([
    {
      name: 'owner publishing, watches open: current (age 0, no error)',
      head: { cacheAgeSeconds: 0 },
      silentMs: 4_000,
      age: 0,
      error: undefined,
      says: [],
    },
    {
      name: 'owner publishing, its watches down 20 s: its error, age grows while unpublished',
      head: {
        cacheAgeSeconds: 20,
        error: {
          type: 'UNREACHABLE' as const,
          message: 'Cannot reach the API server.',
        },
      },
      silentMs: 3_000,
      age: 23,
      error: 'UNREACHABLE',
      says: ['Cannot reach the API server.'],
    },
    {
      name: 'owner silent past staleAfter: TIMEOUT and the age since the data was current',
      head: { cacheAgeSeconds: 0 },
      silentMs: 13_000,
      age: 13,
      error: 'TIMEOUT',
      says: ['has not reported for 13 s', 'Showing what was cached 13 s ago'],
    },
    {
      name: 'owner silent and its watches were already down: ages add up, earlier error kept in the message',
      head: {
        cacheAgeSeconds: 5,
        error: {
          type: 'UNREACHABLE' as const,
          message: 'Cannot reach the API server.',
        },
      },
      silentMs: 30_000,
      age: 35,
      error: 'TIMEOUT',
      says: [
        'has not reported for 30 s',
        'Showing what was cached 35 s ago',
        'Before that: Cannot reach the API server.',
      ],
    },
    {
      name: 'owner stopped (shutdown) 2 s ago: stale at once, not after staleAfter',
      head: { cacheAgeSeconds: 0, stopped: true },
      silentMs: 2_000,
      age: 2,
      error: 'TIMEOUT',
      says: ['stopped 2 s ago', 'Showing what was cached 2 s ago'],
    },
  ])('$name', ({ head, silentMs, age, error, says }) => {
    const h: PublishedHead = {
      owner: 'r1',
      version: 'r1:1',
      publishedAt: at,
      ...head,
    };
    const out = remoteInputs(h, body, at + silentMs, 12_000);
    expect(out.cacheAgeSeconds).toBe(age);
    expect(out.error?.type).toBe(error);
    expect(out.servedVersions).toBe(body.servedVersions);
    for (const text of says) expect(out.error?.message).toContain(text);
  });
});
