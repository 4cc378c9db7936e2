import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsOf, NodeFixture, onlineIds, waitFor } from './node-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

describe('presence, typing and read receipts', () => {
  it('presence changes reach every peer at once, and newcomers learn it from the hello', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    const c = await fx.start('carol');
    await waitFor('mesh', () => [a, b, c].every((t) => onlineIds(t).length === 2));
    a.node.setPresence('busy', 'in a meeting');
    for (const t of [b, c]) {
      const p = await waitFor('presence', () => eventsOf(t, 'presence').at(-1));
      expect(p).toMatchObject({ presence: 'busy', status: 'in a meeting', peer: { id: a.node.id } });
    }
    const d = await fx.start('dave');
    await waitFor('dave sees alice busy', () =>
      d.node
        .peerList()
        .find((p) => p.id === a.node.id && p.presence === 'busy' && p.status === 'in a meeting'),
    );
    a.node.setPresence('online');
    await waitFor('back', () => eventsOf(b, 'presence').at(-1)?.presence === 'online');
  });

  it('auto-away after the idle time reaches peers, and input brings us back', async () => {
    const a = await fx.start('alice', { init: { awayAfterMs: 300 } });
    const b = await fx.start('bob');
    await waitFor('online', () => onlineIds(b).length === 1);
    const away = await waitFor('auto away', () => eventsOf(b, 'presence').find((p) => p.presence === 'away'));
    expect(away.status).toBe('idle');
    a.node.activity();
    await waitFor('back online', () => eventsOf(b, 'presence').at(-1)?.presence === 'online');
  });

  it('typing indicators arrive, are throttled, and expire by themselves', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob', { init: { typingExpiryMs: 300 } });
    await waitFor('online', () => onlineIds(a).length === 1);
    a.node.typing('bob');
    a.node.typing('bob'); // within the throttle window: not sent again
    const on = await waitFor('typing', () => eventsOf(b, 'typing').find((t) => t.active));
    expect(on.peer.id).toBe(a.node.id);
    await waitFor('expired', () => eventsOf(b, 'typing').find((t) => !t.active));
    expect(eventsOf(b, 'typing').filter((t) => t.active)).toHaveLength(1);
  });

  it('read receipts tell the sender when a DM was shown', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    await waitFor('online', () => onlineIds(a).length === 1);
    const id = a.node.sendDirect('bob', 'did you read this?');
    await waitFor('arrived', () => eventsOf(b, 'message').find((m) => m.id === id));
    expect(eventsOf(a, 'read')).toHaveLength(0);
    b.node.markRead([id], a.node.id);
    const read = await waitFor('read', () => eventsOf(a, 'read').find((r) => r.id === id));
    expect(read.by.id).toBe(b.node.id);
    expect(a.store.outbox.deliveryState(id)[0]?.status).toBe('read');
  });
});
