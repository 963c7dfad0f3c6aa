import path from 'node:path';
import { startFleet } from './cluster';
import { fixtureClusterDirs, loadFixtureCluster } from './fixtures';
import type { SimClusterOptions, SimFleet } from './types';

export const USAGE = `Usage: kube-api-sim serve --fixtures DIR [--fixtures DIR2 ...] [--port N] [--kubeconfig-out FILE] [--http1-only]

Starts one simulated Kubernetes API server per fixture folder (a folder with a cluster.yaml; a folder of such
folders starts them all), on ports N, N+1, … (random free ports without --port), over HTTPS with a generated CA.
--kubeconfig-out writes a kubeconfig with one context per cluster (context name = cluster name, admin tokens).
HTTP/2 and HTTP/1.1 are served on the same port (ALPN); --http1-only refuses HTTP/2, as a proxy that speaks only 1.1.
Runs until SIGINT or SIGTERM.`;

export interface ServeArgs {
  fixtures: string[];
  port?: number;
  kubeconfigOut?: string;
  /** false: HTTP/1.1 only (`--http1-only`). */
  http2?: boolean;
}

export function parseArgs(argv: string[]): ServeArgs {
  const [command, ...rest] = argv;
  if (command !== 'serve') throw new Error(USAGE);
  const args: ServeArgs = { fixtures: [] };
  for (let i = 0; i < rest.length; i++) {
    const [flag, inline] = rest[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--fixtures':
        args.fixtures.push(value());
        break;
      case '--port': {
        const p = Number(value());
        if (!Number.isInteger(p) || p < 0 || p > 65535)
          throw new Error(`--port must be a port number`);
        args.port = p;
        break;
      }
      case '--kubeconfig-out':
        args.kubeconfigOut = value();
        break;
      case '--http1-only':
        args.http2 = false;
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`Unknown argument ${rest[i]}\n\n${USAGE}`);
    }
  }
  if (args.fixtures.length === 0)
    throw new Error(`--fixtures is required\n\n${USAGE}`);
  return args;
}

/** Starts the fleet described by the arguments; the caller stops it. */
export async function serve(
  args: ServeArgs,
  log: (line: string) => void = console.log,
): Promise<SimFleet> {
  const dirs = args.fixtures.flatMap(d => {
    const found = fixtureClusterDirs(path.resolve(d));
    if (found.length === 0)
      throw new Error(`${d} holds no cluster.yaml (nor folders with one)`);
    return found;
  });
  const now = new Date();
  const opts: SimClusterOptions[] = dirs.map((d, i) => ({
    ...loadFixtureCluster(d, now),
    port: args.port !== undefined && args.port !== 0 ? args.port + i : 0,
    ...(args.http2 === false ? { http2: false } : {}),
  }));
  const fleet = await startFleet(opts);
  for (const c of fleet.clusters) log(`${c.name}\t${c.url}`);
  if (args.kubeconfigOut) {
    fleet.writeKubeconfig(args.kubeconfigOut);
    log(`kubeconfig written to ${path.resolve(args.kubeconfigOut)}`);
  }
  return fleet;
}

export async function main(argv: string[]): Promise<void> {
  let args: ServeArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const fleet = await serve(args);
  const shutdown = (signal: string) => {
    process.stderr.write(`${signal}: stopping\n`);
    fleet.stop().then(
      () => process.exit(0),
      err => {
        process.stderr.write(`${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
