import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsOf, NodeFixture, onlineIds, waitFor } from './node-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

describe('node: connections', () => {
  it('three nodes see each other online, authenticated, one link per pair', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    const c = await fx.start('carol');
    for (const t of [a, b, c]) {
      const others = [a, b, c]
        .filter((x) => x !== t)
        .map((x) => x.node.id)
        .sort();
      await waitFor(
        `${t.name} sees everybody`,
        () => JSON.stringify(onlineIds(t)) === JSON.stringify(others),
      );
    }
    // Simultaneous dials were resolved without a visible flap: one peer_online per peer, no offline.
    for (const t of [a, b, c]) {
      expect(eventsOf(t, 'peer_online')).toHaveLength(2);
      expect(eventsOf(t, 'peer_offline')).toHaveLength(0);
    }
    const nicks = a.node
      .peerList()
      .map((p) => p.nick)
      .sort();
    expect(nicks).toEqual(['bob', 'carol']);
  });

  it('marks a peer offline when its link is cut without a FIN, and reconnects when it returns', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    await waitFor('online', () => onlineIds(a).length === 1 && onlineIds(b).length === 1);
    fx.network.setLinkDown(b.host, true);
    const offline = await waitFor('a notices', () => eventsOf(a, 'peer_offline')[0]);
    expect(offline.reason).toBe('timeout');
    expect(offline.peer.id).toBe(b.node.id);
    // A DM written while the link is down is queued, then delivered after the link is restored.
    const id = a.node.sendDirect('bob', 'are you there?');
    expect(eventsOf(a, 'sent').find((e) => e.id === id)?.queued).toBe(true);
    fx.network.setLinkDown(b.host, false);
    await waitFor('delivered after restore', () => eventsOf(a, 'delivered').find((e) => e.id === id));
    expect(eventsOf(b, 'message').filter((m) => m.id === id)).toHaveLength(1);
  });

  it('tells a clean quit from a lost connection', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    await waitFor('online', () => onlineIds(a).length === 1);
    await fx.stop(b);
    const offline = await waitFor('offline', () => eventsOf(a, 'peer_offline')[0]);
    expect(offline.reason).toBe('quit');
  });

  it('refuses nodes of another network', async () => {
    const a = await fx.start('alice');
    const other = new Uint8Array(32).fill(7);
    const b = await fx.start('mallory', { networkKey: other });
    const c = await fx.start('carol');
    await waitFor('a and c meet', () => onlineIds(a).length === 1 && onlineIds(c).length === 1);
    expect(onlineIds(a)).toEqual([c.node.id]);
    expect(onlineIds(b)).toEqual([]);
  });
});

describe('node: messaging', () => {
  it('delivers DMs and room messages with Chinese text and emoji intact, with per-recipient acks', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    const c = await fx.start('carol');
    await waitFor('mesh', () => [a, b, c].every((t) => onlineIds(t).length === 2));
    const text = '你好，世界 👋🏽 café';
    const dm = a.node.sendDirect('bob', text);
    const got = await waitFor('dm', () => eventsOf(b, 'message').find((m) => m.id === dm));
    expect(got).toMatchObject({ text, from: { id: a.node.id, nick: 'alice' }, to: { id: b.node.id } });
    await waitFor('dm delivered', () =>
      eventsOf(a, 'delivered').find((d) => d.id === dm && d.to.id === b.node.id),
    );
    expect(eventsOf(c, 'message')).toHaveLength(0);

    const room = a.node.sendRoom('#general', 'hello everybody 🎉');
    for (const t of [b, c]) {
      const m = await waitFor('room message', () => eventsOf(t, 'message').find((x) => x.id === room));
      expect(m).toMatchObject({ room: '#general', text: 'hello everybody 🎉' });
    }
    await waitFor(
      'delivered to both',
      () => eventsOf(a, 'delivered').filter((d) => d.id === room).length === 2,
    );
  });

  it('rooms: only members receive; membership is learned from peers', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    const c = await fx.start('carol');
    await waitFor('mesh', () => [a, b, c].every((t) => onlineIds(t).length === 2));
    b.node.join('#dev');
    // alice is not in #dev: bob's join is an offer to her, never a join.
    await waitFor('a learns bob joined', () => eventsOf(a, 'room_offer').find((e) => e.room === '#dev'));
    expect(a.node.snapshot().rooms).not.toContain('#dev');
    a.node.join('#dev');
    await waitFor('b learns alice joined', () => eventsOf(b, 'member_joined').find((e) => e.room === '#dev'));
    const id = a.node.sendRoom('#dev', 'ship it');
    await waitFor('bob gets it', () => eventsOf(b, 'message').find((m) => m.id === id));
    await waitFor('delivered', () => eventsOf(a, 'delivered').find((d) => d.id === id));
    expect(eventsOf(c, 'message').filter((m) => m.id === id)).toHaveLength(0);
    expect(() => c.node.sendRoom('#dev', 'x')).toThrow(/not in #dev/);
    expect(() => a.node.part('#general')).toThrow(/cannot be left/);
  });

  it('queues a DM to a known offline nick and delivers it when the recipient restarts', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    await waitFor('online', () => onlineIds(a).length === 1);
    const bobIdentity = b.identity;
    const bobDb = b.dbPath;
    await fx.stop(b);
    await waitFor('offline', () => eventsOf(a, 'peer_offline')[0]);
    const ids = [
      a.node.sendDirect('bob', 'one'),
      a.node.sendDirect('bob', 'two'),
      a.node.sendDirect('bob', 'three'),
    ];
    expect(eventsOf(a, 'sent').every((s) => s.queued)).toBe(true);
    const b2 = await fx.start('bob', { identity: bobIdentity, dbPath: bobDb, host: b.host });
    await waitFor('all three arrive', () => eventsOf(b2, 'message').length === 3);
    expect(eventsOf(b2, 'message').map((m) => m.id)).toEqual(ids);
    await waitFor('all delivered', () =>
      ids.every((id) => eventsOf(a, 'delivered').some((d) => d.id === id)),
    );
  });

  it('a sender restarted with queued messages delivers them after the restart', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    await waitFor('online', () => onlineIds(a).length === 1);
    fx.network.setLinkDown(b.host, true);
    await waitFor('offline', () => eventsOf(a, 'peer_offline')[0]);
    const id = a.node.sendDirect('bob', 'written while bob was away');
    const aliceIdentity = a.identity;
    const aliceDb = a.dbPath;
    await fx.stop(a);
    fx.network.setLinkDown(b.host, false);
    const a2 = await fx.start('alice', { identity: aliceIdentity, dbPath: aliceDb, host: a.host });
    await waitFor('delivered after sender restart', () => eventsOf(b, 'message').find((m) => m.id === id));
    await waitFor('ack reaches the restarted sender', () =>
      eventsOf(a2, 'delivered').find((d) => d.id === id),
    );
  });

  it('1,000 DMs arrive exactly once and in send order', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    await waitFor('online', () => onlineIds(a).length === 1);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(a.node.sendDirect('bob', `message ${i}`));
    await waitFor('all arrive', () => eventsOf(b, 'message').length === 1000, 20_000);
    expect(eventsOf(b, 'message').map((m) => m.id)).toEqual(ids);
    await waitFor('all acked', () => eventsOf(a, 'delivered').length === 1000, 20_000);
  });

  it('rejects unknown nicks and over-long messages with clear errors', async () => {
    const a = await fx.start('alice');
    expect(() => a.node.sendDirect('nobody', 'hi')).toThrow(/nobody called nobody/);
    const b = await fx.start('bob');
    await waitFor('online', () => onlineIds(a).length === 1);
    expect(() => a.node.sendDirect('bob', 'x'.repeat(16 * 1024 + 1))).toThrow(/16 KiB/);
    expect(b.events.filter((e) => e.type === 'message')).toHaveLength(0);
  });
});
