// Deterministic transcripts: with the same long-term and ephemeral keys, our pure steps must emit
// exactly the bytes secret-handshake's own pure steps emit, message by message, and derive the same
// session keys. A fixed digest pins the transcript so a change in either side is noticed.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  clientAuth,
  clientHello,
  clientVerifyServerAccept,
  clientVerifyServerHello,
  createClient,
} from '../../src/crypto/shs-client.js';
import {
  createServer,
  serverAccept,
  serverHello,
  serverSessionKeys,
  serverVerifyClientAuth,
  serverVerifyClientHello,
} from '../../src/crypto/shs-server.js';
import { alice, bob, K } from './handshake-fixture.js';
import { ephemeralFromSeed, refKeys, seed } from './keys.js';
import { refShsCrypto as ref } from './reference.js';

function ours() {
  const c0 = createClient({
    identity: alice,
    networkKey: K,
    serverPublicKey: bob.publicKey,
    ephemeral: ephemeralFromSeed(3),
  });
  const s0 = createServer({ identity: bob, networkKey: K, ephemeral: ephemeralFromSeed(4) });
  const m1 = clientHello(c0);
  const s1 = serverVerifyClientHello(s0, m1);
  const m2 = serverHello(s1);
  const c1 = clientVerifyServerHello(c0, m2);
  const m3 = clientAuth(c1);
  const s2 = serverVerifyClientAuth(s1, m3);
  const m4 = serverAccept(s2);
  const c2 = clientVerifyServerAccept(c1, m4);
  return { m1, m2, m3, m4, client: c2.session, server: serverSessionKeys(s2) };
}

function reference() {
  const key = Buffer.from(K);
  const c = ref.initialize({
    app_key: key,
    local: refKeys(alice),
    remote: { publicKey: Buffer.from(bob.publicKey) },
    random: Buffer.from(seed(3)),
  });
  const s = ref.initialize({ app_key: key, local: refKeys(bob), random: Buffer.from(seed(4)) });
  const m1 = ref.createChallenge(c);
  expect(ref.verifyChallenge(s, m1)).not.toBeNull();
  const m2 = ref.createChallenge(s);
  expect(ref.clientVerifyChallenge(c, m2)).not.toBeNull();
  const m3 = ref.clientCreateAuth(c);
  expect(ref.serverVerifyAuth(s, m3)).not.toBeNull();
  const m4 = ref.serverCreateAccept(s);
  expect(ref.clientVerifyAccept(c, m4)).not.toBeNull();
  return { m1, m2, m3, m4, client: ref.clean(c), server: ref.clean(s) };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('SHS deterministic vectors', () => {
  it('emits the same four messages as secret-handshake', () => {
    const a = ours();
    const r = reference();
    expect(hex(a.m1)).toBe(hex(r.m1));
    expect(hex(a.m2)).toBe(hex(r.m2));
    expect(hex(a.m3)).toBe(hex(r.m3));
    expect(hex(a.m4)).toBe(hex(r.m4));
    expect([a.m1.length, a.m2.length, a.m3.length, a.m4.length]).toEqual([64, 64, 112, 80]);
  });

  it('derives the same session keys and nonces as secret-handshake', () => {
    const a = ours();
    const r = reference();
    expect(hex(a.client.encryptKey)).toBe(hex(r.client.encryptKey!));
    expect(hex(a.client.decryptKey)).toBe(hex(r.client.decryptKey!));
    expect(hex(a.server.encryptKey)).toBe(hex(r.server.encryptKey!));
    expect(hex(a.server.decryptKey)).toBe(hex(r.server.decryptKey!));
    expect(hex(a.client.encryptNonce)).toBe(hex(r.client.remote.app_mac!.subarray(0, 24)));
    expect(hex(a.client.decryptNonce)).toBe(hex(r.client.local.app_mac.subarray(0, 24)));
  });

  it('pairs the directions: what one side encrypts with, the other decrypts with', () => {
    const { client, server } = ours();
    expect(client.encryptKey).toEqual(server.decryptKey);
    expect(client.encryptNonce).toEqual(server.decryptNonce);
    expect(server.encryptKey).toEqual(client.decryptKey);
    expect(server.encryptNonce).toEqual(client.decryptNonce);
    expect(client.encryptKey).not.toEqual(client.decryptKey);
    expect(client.remotePublicKey).toEqual(bob.publicKey);
    expect(server.remotePublicKey).toEqual(alice.publicKey);
  });

  it('matches the pinned transcript digest', () => {
    const { m1, m2, m3, m4 } = ours();
    const digest = createHash('sha256').update(m1).update(m2).update(m3).update(m4).digest('hex');
    expect(digest).toMatchInlineSnapshot(
      `"8a60ebf2447117748d028f45e2d2c39ee24639213306e47c22f32d9c7450f953"`,
    );
  });
});
