// What adopting a link writes to the store (issue 13): a reconnect that changes nothing but a
// timestamp writes nothing for a while, and the answers cached for display stay true after every
// write that does happen.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PeerLink } from '../../src/connection/peer-link.js';
import type { Peer } from '../../src/core/peer-table.js';
import { REMEMBER_REFRESH_MS, RememberedPeers } from '../../src/core/remembered-peers.js';
import { PIN_REFRESH_MS, TrustBook } from '../../src/core/trust.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const ALICE = 'A'.repeat(43);
const BOB = 'B'.repeat(43);
const MALLORY = 'M'.repeat(43);

let now = 1_700_000_000_000;
let store: Store;
beforeEach(() => {
  now = 1_700_000_000_000;
  store = openSqliteStore({ path: ':memory:', now: () => now });
});
afterEach(() => store.close());

describe('trust.admit on a reconnect', () => {
  it('pins nothing again under the same nick until PIN_REFRESH_MS has passed', () => {
    const trust = new TrustBook(store, () => now);
    const pin = vi.spyOn(store.contacts, 'pin');
    expect(trust.admit(ALICE, 'alice')).toMatchObject({ ok: true, firstContact: true });
    now += PIN_REFRESH_MS - 1;
    expect(trust.admit(ALICE, 'alice')).toMatchObject({ ok: true, firstContact: false });
    expect(pin).toHaveBeenCalledTimes(1);
    expect(store.contacts.get(ALICE)?.lastSeen).toBe(1_700_000_000_000);
    now += 1;
    trust.admit(ALICE, 'alice');
    expect(pin).toHaveBeenCalledTimes(2);
    expect(store.contacts.get(ALICE)?.lastSeen).toBe(now);
  });

  it('pins a new nick at once, and shows both identities suffixed once two claim one name', () => {
    const trust = new TrustBook(store, () => now);
    trust.admit(ALICE, 'alice');
    trust.admit(BOB, 'bob');
    expect(trust.shown(BOB, 'bob').display).toBe('bob');
    // alice reconnects calling herself bob (allowed: she is a known identity).
    trust.admit(ALICE, 'bοb'); // Greek omicron: the same name to a reader
    expect(store.contacts.get(ALICE)?.nick).toBe('bοb');
    expect(trust.shown(BOB, 'bob').display).toMatch(/^bob#/);
    expect(trust.shown(ALICE, 'bοb').display).toMatch(/^bοb#/);
  });

  it('a new contact changes what is shown for an unpinned identity using a look-alike nick', () => {
    const trust = new TrustBook(store, () => now);
    // An author we never pinned, shown (and cached) while nobody else claims the name.
    expect(trust.shown(MALLORY, 'carol').display).toBe('carol');
    expect(trust.admit(ALICE, 'Carol')).toMatchObject({ ok: true, firstContact: true });
    expect(trust.shown(MALLORY, 'carol').display).toMatch(/^carol#/);
    expect(trust.shown(MALLORY, 'carol').warning).toMatch(/knew first/);
  });

  it('answers from the cache only what the store says', () => {
    const trust = new TrustBook(store, () => now);
    trust.admit(ALICE, 'alice');
    store.contacts.setVerified(ALICE, true);
    trust.invalidate(); // what /verify does
    trust.admit(ALICE, 'alice'); // no pin written, and still verified
    expect(trust.verified(ALICE)).toBe(true);
    store.contacts.setBlocked(ALICE, true);
    trust.invalidate(); // what /block does
    expect(trust.admit(ALICE, 'alice')).toMatchObject({ ok: false, code: 'blocked' });
  });
});

describe('remembered peers on a reconnect', () => {
  const peer = { id: ALICE, hint: undefined } as unknown as Peer;
  const linkFrom = (remoteAddress: string, port = 7475) =>
    ({ remoteAddress, remoteHello: { port } }) as unknown as PeerLink;
  const make = () =>
    new RememberedPeers({ store, clock: { now: () => now } as never, policy: { allowLinkLocal: false } });

  it('writes the same address and port again only after REMEMBER_REFRESH_MS', () => {
    const remembered = make();
    const write = vi.spyOn(store.remembered, 'remember');
    remembered.linkUp(peer, linkFrom('10.0.0.5'));
    now += REMEMBER_REFRESH_MS - 1;
    remembered.linkUp(peer, linkFrom('10.0.0.5'));
    expect(write).toHaveBeenCalledTimes(1);
    now += 1;
    remembered.linkUp(peer, linkFrom('10.0.0.5'));
    expect(write).toHaveBeenCalledTimes(2);
    expect(store.remembered.get(ALICE)?.lastConnected).toBe(now);
  });

  it('writes at once when the address or port changed, or a dial failed since', () => {
    const remembered = make();
    const write = vi.spyOn(store.remembered, 'remember');
    remembered.linkUp(peer, linkFrom('10.0.0.5'));
    remembered.linkUp(peer, linkFrom('10.0.0.6'));
    expect(store.remembered.get(ALICE)?.addresses).toEqual(['10.0.0.6', '10.0.0.5']);
    remembered.linkUp(peer, linkFrom('10.0.0.6', 7476));
    expect(store.remembered.get(ALICE)?.port).toBe(7476);
    remembered.dialFailed(peer, new Error('connection refused'));
    expect(store.remembered.get(ALICE)?.lastError).toBe('connection refused');
    remembered.linkUp(peer, linkFrom('10.0.0.6', 7476));
    expect(write).toHaveBeenCalledTimes(4);
    expect(store.remembered.get(ALICE)?.lastError).toBeUndefined();
  });

  it('writes a dial error that repeats once, again after REMEMBER_REFRESH_MS, a new one at once', () => {
    const remembered = make();
    const note = vi.spyOn(store.remembered, 'noteError');
    remembered.linkUp(peer, linkFrom('10.0.0.5'));
    for (let i = 0; i < 5; i++) remembered.dialFailed(peer, new Error('connection refused'));
    expect(note).toHaveBeenCalledTimes(1);
    const first = store.remembered.get(ALICE)?.lastErrorAt;
    now += REMEMBER_REFRESH_MS;
    remembered.dialFailed(peer, new Error('connection refused'));
    expect(note).toHaveBeenCalledTimes(2);
    expect(store.remembered.get(ALICE)?.lastErrorAt).toBe(first! + REMEMBER_REFRESH_MS);
    remembered.dialFailed(peer, new Error('no route to host'));
    expect(store.remembered.get(ALICE)?.lastError).toBe('no route to host');
    // A link clears the row's error; the same error after it is written again.
    remembered.linkUp(peer, linkFrom('10.0.0.5'));
    expect(store.remembered.get(ALICE)?.lastError).toBeUndefined();
    remembered.dialFailed(peer, new Error('no route to host'));
    expect(store.remembered.get(ALICE)?.lastError).toBe('no route to host');
    expect(note).toHaveBeenCalledTimes(4);
  });

  it('remembers a forgotten peer again on its next link', () => {
    const remembered = make();
    remembered.linkUp(peer, linkFrom('10.0.0.5'));
    remembered.forget(ALICE);
    remembered.linkUp(peer, linkFrom('10.0.0.5'));
    expect(store.remembered.get(ALICE)?.addresses).toEqual(['10.0.0.5']);
  });
});
