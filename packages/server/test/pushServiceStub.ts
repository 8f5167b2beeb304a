import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  hkdfSync,
  randomBytes,
  verify,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A push the stub received, checked and decrypted. */
export interface ReceivedPush {
  /** The path of the endpoint it was posted to. */
  path: string;
  /** The decrypted payload, as text. */
  text: string;
  headers: IncomingMessage['headers'];
  /** The JWT's claims, verified. */
  claims: { aud: string; exp: number; sub: string };
}

/** A browser's subscription made for the test, with the private half that decrypts. */
export interface TestSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** What the stub refused, and why (a request that breaks RFC 8291/8292 gets 400). */
export interface RefusedPush {
  path: string;
  reason: string;
}

export interface PushServiceStub {
  /** `http://127.0.0.1:<port>`: the origin VAPID tokens must name as their audience. */
  readonly origin: string;
  readonly received: ReceivedPush[];
  readonly refused: RefusedPush[];
  /** A new subscription on this push service, with keys made now. */
  subscribe(name?: string): TestSubscription;
  /** What the stub answers for posts to a subscription (201 until told otherwise). */
  answer(subscription: TestSubscription, status: number): void;
  /**
   * Resolves with the next push to reach `subscription` (or any, without one) that no
   * earlier call returned — also one that arrived before the call.
   */
  next(subscription?: TestSubscription, timeoutMs?: number): Promise<ReceivedPush>;
  close(): Promise<void>;
}

const b64 = (text: string) => Buffer.from(text, 'base64url');

/**
 * A push service on 127.0.0.1, strict about what Web Push requires of an application
 * server: a VAPID JWT (RFC 8292: ES256 over P-256, `aud` = this origin, `exp` in the next 24
 * hours, a `sub` contact) signed by the key in `k`, and an aes128gcm payload (RFC 8188, keyed
 * as RFC 8291 says) that it decrypts with the subscription's private key — implemented here
 * with `node:crypto` alone, not with the library under test.
 *
 * @example
 * const push = await startPushServiceStub({ vapidPublicKey });
 * const subscription = push.subscribe();
 * const received = await push.next(subscription);
 */
export async function startPushServiceStub(options: {
  /** The only key VAPID tokens may be signed with (the group's). */
  vapidPublicKey: string;
}): Promise<PushServiceStub> {
  const subscriptions = new Map<
    string,
    { ecdh: ReturnType<typeof createECDH>; auth: Buffer; status: number }
  >();
  const received: ReceivedPush[] = [];
  const refused: RefusedPush[] = [];
  const waiters: { path?: string; resolve: (p: ReceivedPush) => void }[] = [];
  const returned = new Set<ReceivedPush>();
  let n = 0;

  const check = (req: IncomingMessage, body: Buffer): ReceivedPush => {
    const path = req.url ?? '';
    const sub = subscriptions.get(path);
    if (!sub) throw new Error('no such subscription');
    // RFC 8292: Authorization: vapid t=<JWT>, k=<public key>
    const auth = /^vapid t=([^,]+),\s*k=(\S+)$/.exec(req.headers.authorization ?? '');
    if (!auth) throw new Error('no vapid authorization');
    const [, jwt = '', k = ''] = auth;
    if (k !== options.vapidPublicKey) throw new Error('signed with another key');
    const [head = '', payload = '', signature = ''] = jwt.split('.');
    const header = JSON.parse(b64(head).toString()) as { alg?: string; typ?: string };
    if (header.alg !== 'ES256') throw new Error(`alg ${header.alg}`);
    const point = b64(k);
    const key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33, 65).toString('base64url'),
      },
      format: 'jwk',
    });
    const signed = verify(
      'sha256',
      Buffer.from(`${head}.${payload}`),
      { key, dsaEncoding: 'ieee-p1363' },
      b64(signature),
    );
    if (!signed) throw new Error('bad JWT signature');
    const claims = JSON.parse(b64(payload).toString()) as ReceivedPush['claims'];
    if (claims.aud !== origin) throw new Error(`aud ${claims.aud}, not ${origin}`);
    const now = Math.floor(Date.now() / 1000);
    if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error('bad exp');
    if (!/^(mailto:|https:)/.test(claims.sub)) throw new Error('bad sub');
    if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
    if (!req.headers.ttl) throw new Error('no TTL');

    // RFC 8188 header: salt (16) | record size (4) | key id length (1) | key id (the sender's
    // ephemeral public key, 65 bytes, as RFC 8291 asks) | one record.
    const salt = body.subarray(0, 16);
    const idLength = body[20] ?? 0;
    const senderPublic = body.subarray(21, 21 + idLength);
    const record = body.subarray(21 + idLength);
    if (idLength !== 65) throw new Error('key id is not a P-256 point');
    // RFC 8291 section 3.4: IKM from the ECDH secret and the auth secret, then RFC 8188's
    // content key and nonce from IKM and the salt.
    const shared = sub.ecdh.computeSecret(senderPublic);
    const info = Buffer.concat([
      Buffer.from('WebPush: info\0'),
      sub.ecdh.getPublicKey(),
      senderPublic,
    ]);
    const ikm = Buffer.from(hkdfSync('sha256', shared, sub.auth, info, 32));
    const cek = Buffer.from(
      hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16),
    );
    const nonce = Buffer.from(
      hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12),
    );
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([
      decipher.update(record.subarray(0, record.length - 16)),
      decipher.final(),
    ]);
    // The last record ends with 0x02, then zero padding.
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end -= 1;
    if (padded[end] !== 2) throw new Error('no last-record delimiter');
    return { path, text: padded.subarray(0, end).toString(), headers: req.headers, claims };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      let push: ReceivedPush;
      try {
        if (req.method !== 'POST') throw new Error(`method ${req.method}`);
        push = check(req, Buffer.concat(chunks));
      } catch (error) {
        refused.push({ path, reason: (error as Error).message });
        res.writeHead(subscriptions.has(path) ? 400 : 404).end();
        return;
      }
      const status = subscriptions.get(path)?.status ?? 201;
      if (status < 300) {
        received.push(push);
        const waiter = waiters.find((w) => w.path === undefined || w.path === path);
        if (waiter) {
          waiters.splice(waiters.indexOf(waiter), 1);
          returned.add(push);
          waiter.resolve(push);
        }
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    received,
    refused,
    subscribe(name = `s${++n}`) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const path = `/push/${name}`;
      subscriptions.set(path, { ecdh, auth, status: 201 });
      return {
        endpoint: `${origin}${path}`,
        keys: {
          p256dh: ecdh.getPublicKey().toString('base64url'),
          auth: auth.toString('base64url'),
        },
      };
    },
    answer(subscription, status) {
      const entry = subscriptions.get(new URL(subscription.endpoint).pathname);
      if (entry) entry.status = status;
    },
    next(subscription, timeoutMs = 3_000) {
      const path = subscription && new URL(subscription.endpoint).pathname;
      const already = received.find(
        (p) => !returned.has(p) && (path === undefined || p.path === path),
      );
      if (already) {
        returned.add(already);
        return Promise.resolve(already);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no push reached ${path ?? 'the stub'} in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          ...(path !== undefined && { path }),
          resolve: (p) => {
            clearTimeout(timer);
            resolve(p);
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
