// A webhook receiver on loopback for the demo's alert: takes tokentrace's signed notifications
// (`POST`, JSON, `X-Tokentrace-Timestamp` and `X-Tokentrace-Signature: sha256=<hex HMAC-SHA256(
// secret, "<timestamp>.<raw body>")>`) and verifies each as collector/src/alerts/README.md tells
// receivers to: the HMAC over the raw bytes, compared in constant time, and a fresh timestamp.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';

/**
 * @param {string} secret the channel's secret
 * @returns {Promise<{ url: string, received: Array<{ notification: any, verified: boolean }>, close: () => Promise<void> }>}
 */
export async function startWebhookReceiver(secret) {
  const received = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const timestamp = String(req.headers['x-tokentrace-timestamp']);
    const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
    const given = String(req.headers['x-tokentrace-signature']);
    const verified = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected)) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
    let notification;
    try {
      notification = JSON.parse(rawBody);
    } catch {
      notification = { unparsable: rawBody };
    }
    received.push({ notification, verified });
    res.writeHead(verified ? 204 : 401).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks/tokentrace`,
    received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
