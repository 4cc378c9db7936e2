// The holder's limits, on a real store and a fake clock: quotas per depositor, per recipient and in
// total refuse new drops and never evict held ones; deposits are rate-limited per depositor;
// drops expire; the recipient's answer deletes them and its receipts wait for the depositor.
import nacl from 'tweetnacl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/connection/peer-link.js';
import type { DropContext } from '../../src/core/drops/drop-context.js';
import { DropHolder } from '../../src/core/drops/drop-holder.js';
import { DEFAULT_DROP_POLICY, type DropPolicy } from '../../src/core/drops/drop-policy.js';
import { signReceipt } from '../../src/core/drops/drop-receipt.js';
import { type Peer, PeerTable } from '../../src/core/peer-table.js';
import { loadSealedBox } from '../../src/crypto/sealed-box.js';
import { idOf } from '../../src/identity/ids.js';
import type { DropAnswer, DropPut } from '../../src/protocol/drop-messages.js';
import type { WireMessage } from '../../src/protocol/messages.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { FakeClock } from '../core/fake-clock.js';

const NETWORK = 'test-network';

interface FakeLink {
  link: PeerLink;
  sent: WireMessage[];
}

function fakeLink(): FakeLink {
  const sent: WireMessage[] = [];
  const send = (m: WireMessage): boolean => {
    sent.push(m);
    return true;
  };
  return { link: { isClosed: false, send } as unknown as PeerLink, sent };
}

let store: Store;
let clock: FakeClock;
let peers: PeerTable;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  clock = new FakeClock();
  peers = new PeerTable();
});
afterEach(() => store.close());

function holder(policy: Partial<DropPolicy> = {}): DropHolder {
  const context: DropContext = {
    selfId: idOf(nacl.sign.keyPair().publicKey),
    identity: nacl.sign.keyPair(),
    network: NETWORK,
    store,
    peers,
    clock,
    policy: { ...DEFAULT_DROP_POLICY, ...policy },
    sealedBox: loadSealedBox,
    ref: (p) => ({ id: p.id, nick: p.nick, display: p.nick, verified: false }),
    author: (id, nick) => ({ id, nick, display: nick, verified: false }),
    admitAuthor: () => ({ ok: true }),
    show: () => {},
    emit: () => {},
    hostile: () => {},
  };
  return new DropHolder(context);
}

function identity(name: string): { peer: Peer; keys: nacl.SignKeyPair } {
  const keys = nacl.sign.keyPair();
  return { peer: peers.getOrCreate(idOf(keys.publicKey), keys.publicKey, name), keys };
}

let counter = 0;
function put(to: Peer, bytes = 100, exp = clock.now() + 60_000): DropPut {
  counter++;
  return {
    t: 'drop_put',
    id: `msg${String(counter).padStart(5, '0')}`,
    to: to.id,
    exp,
    box: Buffer.alloc(bytes, counter).toString('base64'),
  };
}

function answers(l: FakeLink): DropAnswer[] {
  return l.sent.filter((m): m is DropAnswer => m.t === 'drop_ans');
}

describe('drop holder: limits', () => {
  it('refuses over the per-depositor quota without evicting, and others still get in', () => {
    const h = holder({
      perDepositor: { count: 5, bytes: 1_000_000 },
      depositRate: { perMinute: 1e6, burst: 1e6 },
    });
    const flooder = identity('flooder');
    const honest = identity('honest');
    const bob = identity('bob');
    const fl = fakeLink();
    for (let i = 0; i < 20; i++) h.put(flooder.peer, fl.link, put(bob.peer));
    expect(answers(fl).filter((a) => a.ok)).toHaveLength(5);
    expect(
      answers(fl)
        .filter((a) => !a.ok)
        .every((a) => a.code === 'quota-depositor'),
    ).toBe(true);
    const hl = fakeLink();
    const mine = put(bob.peer);
    h.put(honest.peer, hl.link, mine);
    expect(answers(hl)).toEqual([{ t: 'drop_ans', id: mine.id, to: bob.peer.id, ok: true }]);
    expect(store.drops.usage({ depositor: flooder.peer.id }).count).toBe(5);
    expect(store.drops.usage({ depositor: honest.peer.id }).count).toBe(1);
  });

  it('a flood across many identities stops at the total and never pushes out held drops', () => {
    const h = holder({ total: { count: 1_000, bytes: 10_000 }, depositRate: { perMinute: 1e6, burst: 1e6 } });
    const bob = identity('bob');
    const early = identity('early');
    const el = fakeLink();
    const kept = put(bob.peer, 1_000);
    h.put(early.peer, el.link, kept);
    for (let i = 0; i < 50; i++) {
      const sybil = identity(`sybil${i}`);
      h.put(sybil.peer, fakeLink().link, put(identity(`victim${i}`).peer, 1_000));
    }
    const total = store.drops.usage('total');
    expect(total.bytes).toBeLessThanOrEqual(10_000);
    expect(total.count).toBe(10);
    expect(store.drops.heldKey(early.peer.id, bob.peer.id, kept.id)).toBeDefined();
  });

  it('refuses over the per-recipient quota (count and bytes)', () => {
    const h = holder({ perRecipient: { count: 3, bytes: 250 }, depositRate: { perMinute: 1e6, burst: 1e6 } });
    const bob = identity('bob');
    const l = fakeLink();
    for (let i = 0; i < 3; i++) h.put(identity(`d${i}`).peer, l.link, put(bob.peer, 100));
    expect(answers(l).map((a) => a.ok)).toEqual([true, true, false]);
    expect(answers(l)[2]?.code).toBe('quota-recipient');
  });

  it('rate-limits deposits per depositor, and refills with time', () => {
    const h = holder({ depositRate: { perMinute: 60, burst: 3 } });
    const alice = identity('alice');
    const bob = identity('bob');
    const l = fakeLink();
    for (let i = 0; i < 5; i++) h.put(alice.peer, l.link, put(bob.peer, 10, clock.now() + 3_600_000));
    expect(answers(l).map((a) => a.ok)).toEqual([true, true, true, false, false]);
    expect(answers(l)[3]?.code).toBe('rate');
    clock.advance(1_000); // one token back
    h.put(alice.peer, l.link, put(bob.peer, 10, clock.now() + 3_600_000));
    h.put(alice.peer, l.link, put(bob.peer, 10, clock.now() + 3_600_000));
    expect(
      answers(l)
        .slice(5)
        .map((a) => a.ok),
    ).toEqual([true, false]);
  });

  it('--no-hold refuses every deposit', () => {
    const h = holder({ hold: false });
    const l = fakeLink();
    h.put(identity('alice').peer, l.link, put(identity('bob').peer));
    expect(answers(l)[0]).toMatchObject({ ok: false, code: 'not-holding' });
    expect(store.drops.usage('total').count).toBe(0);
  });

  it('refuses drops for the depositor itself, for us, or already expired', () => {
    const h = holder();
    const alice = identity('alice');
    const l = fakeLink();
    h.put(alice.peer, l.link, put(alice.peer));
    h.put(alice.peer, l.link, put(identity('bob').peer, 10, clock.now()));
    expect(answers(l).map((a) => a.code)).toEqual(['bad-recipient', 'expired']);
  });
});

describe('drop holder: expiry and handover', () => {
  it('caps the expiry at its own hold time and deletes what expired', () => {
    const h = holder({ holdMs: 60_000 });
    const alice = identity('alice');
    const bob = identity('bob');
    h.put(alice.peer, fakeLink().link, put(bob.peer, 10, clock.now() + 365 * 86_400_000));
    h.put(alice.peer, fakeLink().link, put(bob.peer, 10, clock.now() + 30_000));
    clock.advance(30_000);
    h.sweep();
    expect(store.drops.usage('total').count).toBe(1);
    clock.advance(30_000);
    // Expired drops are not handed over even before the sweep.
    const bl = fakeLink();
    bob.peer.link = bl.link;
    h.peerOnline(bob.peer, bl.link);
    expect(bl.sent).toHaveLength(0);
    h.sweep();
    expect(store.drops.usage('total').count).toBe(0);
  });

  it('hands over one batch at a time; the answer deletes them and keeps only signed receipts', async () => {
    const h = holder({ depositRate: { perMinute: 1e6, burst: 1e6 } });
    const alice = identity('alice');
    const bob = identity('bob');
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const p = put(bob.peer, 50);
      ids.push(p.id);
      h.put(alice.peer, fakeLink().link, p);
    }
    const bl = fakeLink();
    bob.peer.link = bl.link;
    h.peerOnline(bob.peer, bl.link);
    const batches = () => bl.sent.filter((m) => m.t === 'drops');
    expect(batches()).toHaveLength(1);
    const first = batches()[0] as Extract<WireMessage, { t: 'drops' }>;
    expect(first.drops).toHaveLength(64);
    // bob answers with receipts for the first two only (the rest were not letters for him).
    const rcpts = ids
      .slice(0, 2)
      .map((id) => signReceipt({ id, from: alice.peer.id, to: bob.peer.id }, NETWORK, bob.keys.secretKey));
    expect(h.done(bob.peer, bl.link, { t: 'drop_done', n: first.drops.map((d) => d.n), rcpts })).toBe(true);
    expect(batches()).toHaveLength(2);
    expect((batches()[1] as Extract<WireMessage, { t: 'drops' }>).drops).toHaveLength(36);
    expect(store.drops.usage('total').count).toBe(36);
    expect(store.drops.receiptsFor(alice.peer.id, 10).map((r) => r.id)).toEqual(ids.slice(0, 2));
    // A receipt signed by somebody else than bob is refused (the link gets closed by the caller).
    const forged = signReceipt(
      { id: ids[70]!, from: alice.peer.id, to: bob.peer.id },
      NETWORK,
      alice.keys.secretKey,
    );
    expect(h.done(bob.peer, bl.link, { t: 'drop_done', n: [], rcpts: [forged] })).toBe(false);
    // alice comes online: she gets her receipts, once.
    const al = fakeLink();
    alice.peer.link = al.link;
    h.peerOnline(alice.peer, al.link);
    const passed = al.sent.filter((m) => m.t === 'drop_rcpt') as Extract<WireMessage, { t: 'drop_rcpt' }>[];
    expect(passed.flatMap((m) => m.rcpts.map((r) => r.id))).toEqual(ids.slice(0, 2));
    expect(store.drops.receiptsFor(alice.peer.id, 10)).toHaveLength(0);
  });

  it('a peer cannot delete drops held for somebody else by naming their handles', () => {
    const h = holder();
    const alice = identity('alice');
    const bob = identity('bob');
    const dave = identity('dave');
    for (let i = 0; i < 3; i++) h.put(alice.peer, fakeLink().link, put(bob.peer, 50));
    const bl = fakeLink();
    bob.peer.link = bl.link;
    h.peerOnline(bob.peer, bl.link);
    const batch = bl.sent.find((m) => m.t === 'drops') as Extract<WireMessage, { t: 'drops' }>;
    const handles = batch.drops.map((d) => d.n);
    expect(handles).toHaveLength(3);
    // Handles are small sequence numbers, easy to guess: dave answers with bob's.
    const dl = fakeLink();
    dave.peer.link = dl.link;
    expect(h.done(dave.peer, dl.link, { t: 'drop_done', n: handles, rcpts: [] })).toBe(true);
    expect(store.drops.usage({ recipient: bob.peer.id }).count).toBe(3);
    // bob's own answer with the same handles deletes them.
    expect(h.done(bob.peer, bl.link, { t: 'drop_done', n: handles, rcpts: [] })).toBe(true);
    expect(store.drops.usage({ recipient: bob.peer.id }).count).toBe(0);
  });

  it('drops survive a restart of the holder (SQLite)', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'lanchat-drops-'));
    try {
      const path = join(dir, 'holder.db');
      const first = openSqliteStore({ path });
      const saved = store;
      store = first;
      const bob = identity('bob');
      holder().put(identity('alice').peer, fakeLink().link, put(bob.peer));
      first.close();
      store = openSqliteStore({ path });
      expect(store.drops.heldFor(bob.peer.id, 0, clock.now(), 10)).toHaveLength(1);
      store.close();
      store = saved;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('drop holder: read receipts', () => {
  it("keeps a peer's own read receipts within the per-recipient quota, and refuses anybody else's", () => {
    const h = holder({ perRecipient: { count: 2, bytes: 1_000_000 } });
    const alice = identity('alice');
    const bob = identity('bob');
    const read = (id: string) =>
      signReceipt({ id, from: alice.peer.id, to: bob.peer.id, read: true }, NETWORK, bob.keys.secretKey);
    expect(
      h.readReceipts(bob.peer, {
        t: 'drop_read',
        rcpts: [read('AAAAAAAA'), read('BBBBBBBB'), read('CCCCCCCC')],
      }),
    ).toBe(true);
    expect(store.drops.receiptCount({ recipient: bob.peer.id })).toBe(2);
    // bob's receipt, presented by alice: refused.
    expect(h.readReceipts(alice.peer, { t: 'drop_read', rcpts: [read('DDDDDDDD')] })).toBe(false);
    // A delivery receipt is not accepted as a read one.
    const delivery = signReceipt(
      { id: 'EEEEEEEE', from: alice.peer.id, to: bob.peer.id },
      NETWORK,
      bob.keys.secretKey,
    );
    expect(h.readReceipts(bob.peer, { t: 'drop_read', rcpts: [delivery] })).toBe(false);
    // alice comes online and gets the two, marked read.
    const al = fakeLink();
    alice.peer.link = al.link;
    h.peerOnline(alice.peer, al.link);
    const passed = al.sent.flatMap((m) => (m.t === 'drop_rcpt' ? m.rcpts : []));
    expect(passed.map((r) => [r.id, r.read])).toEqual([
      ['AAAAAAAA', true],
      ['BBBBBBBB', true],
    ]);
  });
});
