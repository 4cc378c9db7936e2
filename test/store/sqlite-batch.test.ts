// Store.transaction() is how core batches writes (the lines of one stdin read, the messages of one
// network read). Inside it a message has no savepoint of its own and its search entry is written
// at commit: these tests pin down that this changes nothing a caller can observe.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BOB, CAROL, message, type TempProfile, tempProfile } from './store-fixtures.js';

let profile: TempProfile | undefined;
afterEach(() => profile?.remove());

/** A profile whose database refuses every delivery queued for CAROL, after the message row went in. */
function profileFailingForCarol(): TempProfile {
  const p = tempProfile();
  p.open().close(); // create the schema
  const raw = new Database(p.dbPath);
  raw.exec(`CREATE TRIGGER refuse_carol BEFORE INSERT ON deliveries WHEN NEW.recipient_id = '${CAROL}'
            BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
  raw.close();
  return p;
}

describe('batched writes', () => {
  it('makes the messages of a batch searchable when it commits', () => {
    profile = tempProfile();
    const store = profile.open();
    const [a, b] = [message({ text: 'quarterly 报告 ready' }), message({ text: 'quarterly numbers' })];
    store.transaction(() => {
      expect(store.messages.saveIncoming(a)).toBe(true);
      expect(store.messages.saveOutgoing({ ...b, direction: 'out' }, [BOB])).toBe(true);
      expect(store.messages.saveIncoming(a)).toBe(false); // a duplicate inside the batch
    });
    expect(store.messages.search('quarterly', { limit: 10 }).map((m) => m.id)).toEqual([b.id, a.id]);
    expect(store.messages.search('报告', { limit: 10 }).map((m) => m.id)).toEqual([a.id]);
    store.close();
    // Also after a reopen: the entries were committed with the rows, not kept in memory.
    const again = profile.open();
    expect(again.messages.search('quarterly', { limit: 10 })).toHaveLength(2);
    again.close();
  });

  it('leaves no search entry behind when the batch rolls back', () => {
    profile = tempProfile();
    const store = profile.open();
    const lost = message({ text: 'phantom words' });
    expect(() =>
      store.transaction(() => {
        store.messages.saveIncoming(lost);
        throw new Error('core changed its mind');
      }),
    ).toThrow('core changed its mind');
    // The next message takes the rolled-back row's seq; it must not be found by the lost words.
    const next = message({ text: 'real words' });
    store.messages.saveIncoming(next);
    expect(store.messages.search('phantom', { limit: 10 })).toEqual([]);
    expect(store.messages.search('real', { limit: 10 }).map((m) => m.id)).toEqual([next.id]);
    store.close();
  });

  it('rolls the whole batch back when a message fails half-way, even if the caller carries on', () => {
    profile = profileFailingForCarol();
    const store = profile.open();
    const [first, broken, last] = [message(), message({ direction: 'out' }), message()];
    let caught: unknown;
    expect(() =>
      store.transaction(() => {
        store.messages.saveIncoming(first);
        try {
          // The message row goes in, then its delivery row is refused: half a message.
          store.messages.saveOutgoing(broken, [BOB, CAROL]);
        } catch (error) {
          caught = error; // a caller that reports the error per line and goes on
        }
        store.messages.saveIncoming(last);
      }),
    ).toThrow(/disk says no/);
    expect(String(caught)).toMatch(/disk says no/);
    for (const m of [first, broken, last]) expect(store.messages.get(m.id)).toBeUndefined();
    expect(store.outbox.pendingFor(BOB)).toEqual([]);
    // The store is usable afterwards and the next batch is not poisoned by the old failure.
    store.transaction(() => store.messages.saveIncoming(first));
    expect(store.messages.get(first.id)).toEqual(first);
    store.close();
  });

  it('keeps a nested transaction that failed and was caught to itself', () => {
    profile = profileFailingForCarol();
    const store = profile.open();
    const [kept, inner, after] = [message({ text: 'kept' }), message({ text: 'inner' }), message()];
    store.transaction(() => {
      store.messages.saveIncoming(kept);
      expect(() =>
        store.transaction(() => {
          store.messages.saveIncoming(inner);
          store.messages.saveOutgoing(message({ direction: 'out' }), [CAROL]);
        }),
      ).toThrow(/disk says no/);
      store.messages.saveIncoming(after);
    });
    expect(store.messages.get(kept.id)).toEqual(kept);
    expect(store.messages.get(after.id)).toEqual(after);
    expect(store.messages.get(inner.id)).toBeUndefined();
    expect(store.messages.search('inner', { limit: 10 })).toEqual([]);
    expect(store.messages.search('kept', { limit: 10 }).map((m) => m.id)).toEqual([kept.id]);
    store.close();
  });

  it('still stores a single message atomically outside a batch', () => {
    profile = profileFailingForCarol();
    const store = profile.open();
    const broken = message({ direction: 'out', text: 'half' });
    expect(() => store.messages.saveOutgoing(broken, [BOB, CAROL])).toThrow(/disk says no/);
    expect(store.messages.get(broken.id)).toBeUndefined();
    expect(store.messages.search('half', { limit: 10 })).toEqual([]);
    store.close();
  });
});
