/**
 * A self-signed certificate for 127.0.0.1 and localhost, valid until 2126, checked in under
 * test/fixtures/tls/ (made with `openssl req -x509 -newkey ec …`): for emulators that must speak
 * TLS (undici negotiates HTTP/2 only through ALPN). Clients trust it through their own options
 * (`ca`), never through NODE_TLS_REJECT_UNAUTHORIZED.
 */
import { readFileSync } from 'node:fs';

const file = (name: string) => readFileSync(new URL(`../../fixtures/tls/${name}`, import.meta.url));

export const TEST_TLS = { key: file('localhost-key.pem'), cert: file('localhost-cert.pem') };
