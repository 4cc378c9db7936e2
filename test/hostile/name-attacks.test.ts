// One test per name attack of issue 14, driven by a hostile peer over the real handshake and frame
// codec. Each asserts what the victim shows (events, display strings), where its DMs go, and what
// it stores. The victim has verified the real bob.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PeerRef } from '../../src/core/events.js';
import { base64Of, idOf, keySuffix } from '../../src/identity/ids.js';
import { safetyNumber } from '../../src/identity/safety-number.js';
import { eventsOf, NodeFixture, onlineIds, type TestNode, waitFor } from '../core/node-fixture.js';
import { HostilePeer, startVictim } from './hostile-peer.js';

let fx: NodeFixture;
let victim: Awaited<ReturnType<typeof startVictim>>;
let bob: TestNode;

beforeEach(async () => {
  fx = new NodeFixture();
  victim = await startVictim(fx, 'victim');
  bob = await fx.start('bob');
  await waitFor('victim meets bob', () => onlineIds(victim).includes(bob.node.id));
  const number = safetyNumber(victim.identity.publicKey, bob.identity.publicKey);
  expect(victim.node.verify('bob', number).matched).toBe(true);
});
afterEach(async () => {
  await fx.destroy();
});

const bobSuffix = () => keySuffix(bob.identity.publicKey);

/** A DM the victim addresses to `name` goes to this identity (the 'sent' event's recipient). */
function dmRecipient(name: string): PeerRef {
  const id = victim.node.sendDirect(name, `to ${name}`);
  const sent = eventsOf(victim, 'sent').find((e) => e.id === id);
  if (!sent || !('to' in sent)) throw new Error('no sent event');
  return sent.to;
}

/** The victim never let `evil` in: not online, never announced online, not pinned. */
async function expectRefused(evil: HostilePeer): Promise<void> {
  await waitFor('the victim drops the link', () => evil.closed);
  expect(onlineIds(victim)).not.toContain(evil.id);
  expect(eventsOf(victim, 'peer_online').filter((e) => e.peer.id === evil.id)).toEqual([]);
  expect(victim.store.contacts.get(evil.id)).toBeUndefined();
}

/** Connects as `first` (an honest-looking newcomer, pinned), then renames itself to `nick`. */
async function renamedMallory(nick: string, first = 'mallory'): Promise<HostilePeer> {
  const evil = await HostilePeer.connect(fx, victim, { nick: first });
  await waitFor('mallory online', () => onlineIds(victim).includes(evil.id));
  evil.send({ t: 'nick', nick });
  return evil;
}

describe('name attacks', () => {
  it('invisible characters: "bob\\u200b" in a hello or a nick change is refused', async () => {
    const evil = await HostilePeer.connect(fx, victim, { nick: 'bob\u200b' });
    await expectRefused(evil);
    const invisibles = ['bob\u2060', 'bob\u061c', 'bob\ufe0f', 'bob\u{e0062}'];
    for (const [i, invisible] of invisibles.entries()) {
      const renamer = await renamedMallory(invisible, `mallory ${'x'.repeat(i + 1)}`);
      await waitFor('link closed', () => renamer.closed);
      expect(eventsOf(victim, 'nick').filter((e) => e.peer.id === renamer.id)).toEqual([]);
      expect(victim.store.contacts.get(renamer.id)?.nick).toBe(`mallory ${'x'.repeat(i + 1)}`);
    }
    expect(dmRecipient('bob').id).toBe(bob.node.id);
  });

  it('fullwidth: "Ｂob" is refused; a contact renamed "BOB" is shown with its suffix and a warning', async () => {
    await expectRefused(await HostilePeer.connect(fx, victim, { nick: 'Ｂob' }));
    const evil = await renamedMallory('BOB');
    const renamed = await waitFor('nick event', () =>
      eventsOf(victim, 'nick').find((e) => e.peer.id === evil.id),
    );
    expect(renamed.peer.display).toBe(`BOB#${keySuffix(evil.identity.publicKey)}`);
    expect(renamed.peer.warning).toBe(`not the bob#${bobSuffix()} you verified`);
    expect(dmRecipient('bob').id).toBe(bob.node.id); // the verified bob keeps the name
    expect(dmRecipient('BOB').id).toBe(bob.node.id);
  });

  it('Cyrillic: a new key saying "bоb" is refused as an impersonation of the pinned bob', async () => {
    const evil = await HostilePeer.connect(fx, victim, { nick: 'b\u043eb' });
    await expectRefused(evil);
    const warning = await waitFor('impersonation warning', () =>
      eventsOf(victim, 'warning').find((w) => w.code === 'impersonation'),
    );
    expect(warning.message).toContain(`bob#${bobSuffix()} (verified)`);
  });

  it('Cyrillic: a contact renamed "bоb" never looks like the verified bob, in messages or the peer list', async () => {
    const evil = await renamedMallory('b\u043eb');
    await waitFor('nick event', () => eventsOf(victim, 'nick').find((e) => e.peer.id === evil.id));
    evil.send({
      t: 'msg',
      id: 'Q0NDQ0NDQ0NDQ0NDQ0NDQw',
      ts: Date.now(),
      text: 'it is me, bob',
      kind: 'text',
    });
    const fake = await waitFor('the message', () =>
      eventsOf(victim, 'message').find((m) => m.text === 'it is me, bob'),
    );
    const evilSuffix = keySuffix(evil.identity.publicKey);
    expect(fake.from).toMatchObject({
      id: evil.id,
      display: `b\u043eb#${evilSuffix}`,
      suffix: evilSuffix,
      verified: false,
      warning: `not the bob#${bobSuffix()} you verified`,
    });
    const listed = victim.node.peerList();
    expect(listed.find((p) => p.id === bob.node.id)).toMatchObject({
      display: `bob#${bobSuffix()}`,
      verified: true,
    });
    expect(listed.find((p) => p.id === bob.node.id)?.warning).toBeUndefined();
    expect(victim.node.snapshot().peers.find((p) => p.id === evil.id)?.display).toBe(
      `b\u043eb#${evilSuffix}`,
    );
    expect(dmRecipient('bob').id).toBe(bob.node.id);
    expect(dmRecipient(`b\u043eb#${evilSuffix}`).id).toBe(evil.id);
  });

  it("#suffix: a nick carrying bob's key suffix is refused; nick#suffix still reaches the real bob", async () => {
    const evil = await HostilePeer.connect(fx, victim, { nick: `bob#${bobSuffix()}` });
    await expectRefused(evil);
    const renamer = await renamedMallory(`bob#${bobSuffix()}`);
    await waitFor('link closed', () => renamer.closed);
    expect(dmRecipient(`bob#${bobSuffix()}`).id).toBe(bob.node.id);
    expect(dmRecipient(bob.node.id).id).toBe(bob.node.id);
  });

  it('mDNS-claimed nick: a host announcing a nick attracts no /msg and is shown unnamed', async () => {
    const attacker = nacl.sign.keyPair();
    const announce = (nick: string) =>
      victim.mdns.announce({
        publicKey: base64Of(attacker.publicKey),
        nick,
        addresses: ['10.66.9.9'],
        port: 7475,
      });
    announce('carol');
    await waitFor('victim heard of it', () =>
      victim.node.peerList().find((p) => p.id === idOf(attacker.publicKey)),
    );
    expect(() => victim.node.sendDirect('carol', 'hi')).toThrow(/nobody called carol/);
    expect(victim.node.peerList().find((p) => p.id === idOf(attacker.publicKey))).toMatchObject({
      nick: '',
      advertisedNick: 'carol',
      online: false,
    });
    // dave is a contact from an earlier run, offline now: the announcement cannot take his DMs.
    const dave = idOf(nacl.sign.keyPair().publicKey);
    victim.store.contacts.pin(dave, 'dave');
    announce('dave');
    await waitFor('update seen', () =>
      victim.node.peerList().find((p) => p.id === idOf(attacker.publicKey) && p.advertisedNick === 'dave'),
    );
    expect(dmRecipient('dave').id).toBe(dave);
    expect(victim.store.outbox.pendingFor(dave).length).toBeGreaterThan(0);
    // Nor bob's, while he is online.
    announce('bob');
    expect(dmRecipient('bob').id).toBe(bob.node.id);
  });

  it('forged mDNS rename and goodbye of a live peer: it stays online, named, and reachable', async () => {
    const bobKey = base64Of(bob.identity.publicKey);
    const before = victim.events.length;
    victim.mdns.announce({ publicKey: bobKey, nick: 'mallory', addresses: ['10.66.9.9'], port: 7475 });
    victim.mdns.goodbye(bobKey);
    const id = victim.node.sendDirect('bob', 'still there?');
    await waitFor('bob gets it', () => eventsOf(bob, 'message').find((m) => m.id === id));
    const after = victim.events.slice(before);
    expect(after.filter((e) => e.type === 'peer_offline' || e.type === 'nick')).toEqual([]);
    expect(victim.node.peerList().find((p) => p.id === bob.node.id)).toMatchObject({
      nick: 'bob',
      display: 'bob',
      online: true,
    });
    expect(() => victim.node.sendDirect('mallory', 'x')).toThrow(/nobody called mallory/);
    // Its address is kept: a file's bytes go on a new connection dialled there.
    const source = join(fx.dir, 'forged-goodbye.txt');
    writeFileSync(source, 'bytes after a forged goodbye');
    const offered = await victim.node.sendFile('bob', source);
    const offer = await waitFor('offer', () => eventsOf(bob, 'file_offer').find((e) => e.id === offered.id));
    await bob.node.acceptFile(offer.id, join(fx.dir, 'inbox'));
    await waitFor('file done or failed', () =>
      victim.events.find((e) => (e.type === 'file_done' || e.type === 'file_failed') && e.id === offered.id),
    );
    expect(eventsOf(victim, 'file_failed')).toEqual([]);
    expect(readFileSync(eventsOf(bob, 'file_done')[0]!.path, 'utf8')).toBe('bytes after a forged goodbye');
  });
});
