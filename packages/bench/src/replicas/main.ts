/*
 * `node packages/bench/bin/replicas [--smoke] [--checks FILE] [--out FILE] [--verbose]`: P5r replicas (see
 * replicaBench.ts). Reads Redis's and PostgreSQL's addresses from --services FILE (scripts/services.sh writes it)
 * or from REDIS_URL, PG_HOST, PG_PORT, PG_USER. --checks writes the named checks as {checks: [...]} for
 * scripts/count-results.js; a run that cannot start counts as one failed check.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { runReplicaBench, type Check } from './replicaBench';

function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      services: { type: 'string' },
      checks: { type: 'string' },
      out: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const log = (line: string) => process.stderr.write(`replicas: ${line}\n`);
  const smoke = values.smoke!;
  const writeChecks = (checks: Check[]) => {
    if (values.checks)
      fs.writeFileSync(values.checks, JSON.stringify({ checks }, null, 2));
  };
  try {
    const env = values.services
      ? readEnvFile(values.services)
      : (process.env as Record<string, string>);
    if (!env.REDIS_URL || !env.PG_PORT) {
      throw new Error(
        'no Redis/PostgreSQL addresses: pass --services DIR/services.env from scripts/services.sh start DIR',
      );
    }
    const result = await runReplicaBench({
      services: {
        redisUrl: env.REDIS_URL,
        pgHost: env.PG_HOST ?? '127.0.0.1',
        pgPort: Number(env.PG_PORT),
        pgUser: env.PG_USER ?? 'postgres',
      },
      size: smoke
        ? {
            clusters: 4,
            externalSecrets: 50,
            kustomizations: 10,
            helmReleases: 5,
            teams: 2,
          }
        : {
            clusters: 9,
            externalSecrets: 2000,
            kustomizations: 200,
            helmReleases: 50,
            teams: 10,
          },
      replicas: 3,
      reads: smoke ? 20 : 200,
      heartbeat: '5s',
      log,
      verbose: values.verbose,
    });
    writeChecks(result.checks);
    const { checks: _c, ...figures } = result;
    const text = JSON.stringify(figures, null, 2);
    if (values.out) fs.writeFileSync(values.out, text);
    process.stdout.write(`${text}\n`);
    return result.checks.every(c => c.ok) ? 0 : 1;
  } catch (error) {
    const message = String((error as Error)?.stack ?? error);
    log(`failed: ${message}`);
    writeChecks([
      {
        name: 'replica test (three backends on Redis and PostgreSQL) ran',
        ok: false,
        detail: message.split('\n')[0],
      },
    ]);
    return 1;
  }
}
