import { once } from 'node:events';
import { createServer, Socket } from 'node:net';

/**
 * A TCP relay standing in for the network between the app and a server on `targetPort`. It can
 * add latency (a slow server) or stop carrying bytes both ways (a partition: the server keeps its
 * data and other clients keep reaching it; bytes in flight are delivered when it heals, as TCP
 * would retransmit them).
 */
export interface NetworkLink {
  readonly port: number;
  /** Each chunk, either way, is delivered this much later (order kept). */
  delay(ms: number): void;
  partition(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function networkLink(targetPort: number): Promise<NetworkLink> {
  let latencyMs = 0;
  let partitioned = false;
  const sockets = new Set<Socket>();
  const flushes = new Set<() => void>();

  const relay = (from: Socket, to: Socket) => {
    const held: Buffer[] = [];
    let lastDeliveryAt = 0;
    const deliver = (chunk: Buffer) => {
      lastDeliveryAt = Math.max(lastDeliveryAt, Date.now() + latencyMs);
      setTimeout(
        () => {
          if (!to.destroyed) to.write(chunk);
        },
        Math.max(0, lastDeliveryAt - Date.now()),
      );
    };
    const flush = () => held.splice(0).forEach(deliver);
    flushes.add(flush);
    from.on('data', (chunk: Buffer) => (partitioned ? held.push(chunk) : deliver(chunk)));
    from.on('close', () => {
      flushes.delete(flush);
      to.destroy();
    });
  };

  const server = createServer((client) => {
    const upstream = new Socket();
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    relay(client, upstream);
    relay(upstream, client);
    upstream.connect(targetPort, '127.0.0.1');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    port: (server.address() as { port: number }).port,
    delay: (ms) => (latencyMs = ms),
    partition: () => (partitioned = true),
    heal: () => {
      partitioned = false;
      flushes.forEach((flush) => flush());
    },
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      server.close();
      await once(server, 'close');
    },
  };
}
