import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ping, startRedisServer, type RedisServer } from './redis-server.js';

describe('startRedisServer', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server.stop());

  it('answers on its own port, stores nothing on disk and is gone once killed', async () => {
    const client = createClient({ url: server.url });
    await client.connect();
    await client.set('k', 'v');
    expect(await client.get('k')).toBe('v');
    expect(await client.configGet('save')).toEqual({ save: '' });
    expect(await client.configGet('appendonly')).toEqual({ appendonly: 'no' });
    client.destroy();
    await server.kill();
    await expect(ping(server.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
