/**
 * A TCP proxy in front of an emulator that holds back the end of every chunked HTTP response
 * (the `0\r\n\r\n` last-chunk, RFC 9112 §7.1) for `delayMs`, as a network does when the end of a
 * response arrives in a later segment than its last event. In one process the emulator's end
 * otherwise reaches the client together with the last event, and the race never shows.
 */
import net from 'node:net';

const LAST_CHUNK = Buffer.from('0\r\n\r\n');

export interface LateEndProxy {
  /** `http://127.0.0.1:PORT`, to use in place of the emulator's `url`. */
  readonly url: string;
  /** Chunked responses whose client hung up before their end reached it, since start or reset(). */
  readonly endsNeverDelivered: number;
  /** Waits until no response is under way (a hang-up is seen a little after the client's abort), then zeroes the count. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startLateEndProxy(target: string, delayMs: number): Promise<LateEndProxy> {
  const upstreamUrl = new URL(target);
  const sockets = new Set<net.Socket>();
  /** Client sockets between a response's first bytes and its last-chunk. */
  const responding = new Set<net.Socket>();
  let endsNeverDelivered = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(upstreamUrl.port), upstreamUrl.hostname);
    client.on('close', () => {
      if (responding.delete(client)) endsNeverDelivered++;
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined); // the client hanging up is the point of the exercise
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    // Segments stay in order: each waits for the one before, held-back ends included.
    let forwarded = Promise.resolve();
    upstream.on('data', (data: Buffer) => {
      forwarded = forwarded.then(async () => {
        if (client.destroyed) return;
        responding.add(client);
        const endsResponse = data.length >= LAST_CHUNK.length && data.subarray(-LAST_CHUNK.length).equals(LAST_CHUNK);
        if (!endsResponse) return void client.write(data);
        client.write(data.subarray(0, data.length - LAST_CHUNK.length));
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (client.destroyed) return;
        client.write(LAST_CHUNK);
        responding.delete(client);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get endsNeverDelivered() {
      return endsNeverDelivered;
    },
    reset: async () => {
      for (let waited = 0; responding.size > 0 && waited < 4 * delayMs; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      endsNeverDelivered = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
