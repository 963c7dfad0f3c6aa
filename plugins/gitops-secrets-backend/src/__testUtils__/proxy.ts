import http from 'node:http';
import net from 'node:net';

export interface CountingProxy {
  /** `https://127.0.0.1:<port>`: the target cluster's URL through the proxy (TLS passes through untouched). */
  url: string;
  /** TCP connections accepted so far. */
  readonly opened: number;
  /** TCP connections open now. */
  readonly open: number;
  /** Cut every connection open now (as a restarting API server or a load balancer would). */
  dropAll(): void;
  /** Stop forwarding bytes on every connection open now, both ways, without closing them (a peer that vanished). */
  freezeAll(): void;
  stop(): Promise<void>;
}

/**
 * A TCP pass-through in front of a simulated cluster that counts connections:
 * the simulator counts requests, this counts how many connections carried them.
 */
export async function startCountingProxy(
  target: string,
): Promise<CountingProxy> {
  const to = new URL(target);
  const clients = new Set<net.Socket>();
  const upstreams = new Set<net.Socket>();
  let opened = 0;
  const server = net.createServer(client => {
    opened++;
    clients.add(client);
    const upstream = net.connect(Number(to.port), to.hostname);
    upstreams.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => {
      clients.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      upstreams.delete(upstream);
      client.destroy();
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${to.protocol}//127.0.0.1:${port}`,
    get opened() {
      return opened;
    },
    get open() {
      return clients.size;
    },
    dropAll: () => {
      for (const s of [...clients, ...upstreams]) s.destroy();
    },
    freezeAll: () => {
      for (const s of [...clients, ...upstreams]) {
        s.unpipe();
        s.pause();
      }
    },
    stop: () =>
      new Promise<void>(resolve => {
        for (const s of [...clients, ...upstreams]) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`: a kubeconfig's `proxy-url`. */
  url: string;
  /** CONNECT tunnels opened so far. */
  readonly tunnels: number;
  stop(): Promise<void>;
}

/** An HTTP proxy that tunnels CONNECT requests (as a corporate egress proxy does), counting the tunnels. */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const sockets = new Set<net.Socket>();
  let tunnels = 0;
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
    tunnels++;
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get tunnels() {
      return tunnels;
    },
    stop: () =>
      new Promise<void>(resolve => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
