import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { admitAuthor } from '../../src/core/author-admission.js';
import { TrustBook } from '../../src/core/trust.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const SELF = 'S'.repeat(43);
const ALICE = 'A'.repeat(43);
const NEWCOMER = 'N'.repeat(43);
const SPAMMER = 'X'.repeat(43);

let store: Store;
let trust: TrustBook;
const admit = (author: string, nick: string) => admitAuthor(trust, store.contacts, SELF, author, nick);

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  trust = new TrustBook(store);
  store.contacts.pin(ALICE, 'alice');
  store.contacts.pin(SPAMMER, 'spammer');
  store.contacts.setBlocked(SPAMMER, true);
});
afterEach(() => store.close());

describe('the author of a relayed room message', () => {
  it('is refused when blocked, whatever nick it claims', () => {
    expect(admit(SPAMMER, 'spammer')).toEqual({ ok: false, code: 'blocked' });
    expect(admit(SPAMMER, 'friendly')).toEqual({ ok: false, code: 'blocked' });
  });

  it('is refused when new and claiming a nick pinned to another key, and pins nothing', () => {
    expect(admit(NEWCOMER, 'alice')).toEqual({ ok: false, code: 'impersonation' });
    expect(store.contacts.get(NEWCOMER)).toBeUndefined();
  });

  it('is pinned on first contact under a free nick, like a direct peer', () => {
    expect(admit(NEWCOMER, 'nina')).toEqual({ ok: true });
    expect(store.contacts.get(NEWCOMER)?.nick).toBe('nina');
  });

  it("keeps a known author's pin: an old relayed nick does not rename it", () => {
    expect(admit(ALICE, 'alice-old')).toEqual({ ok: true });
    expect(store.contacts.get(ALICE)?.nick).toBe('alice');
  });

  it('accepts our own messages', () => {
    expect(admit(SELF, 'me')).toEqual({ ok: true });
  });
});
