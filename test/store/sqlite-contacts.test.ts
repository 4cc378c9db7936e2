import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { ALICE, BOB, CAROL } from './store-fixtures.js';

describe('contacts (TOFU pins)', () => {
  it('pins on first contact, then only moves nick and lastSeen', () => {
    let now = 10;
    const store = openSqliteStore({ path: ':memory:', now: () => now });
    expect(store.contacts.pin(ALICE, 'alice')).toEqual({
      contact: { id: ALICE, nick: 'alice', firstSeen: 10, lastSeen: 10, verified: false, blocked: false },
      created: true,
    });
    now = 20;
    expect(store.contacts.pin(ALICE, 'alice')).toEqual({
      contact: { id: ALICE, nick: 'alice', firstSeen: 10, lastSeen: 20, verified: false, blocked: false },
      created: false,
    });
    now = 30;
    const renamed = store.contacts.pin(ALICE, 'ally');
    expect(renamed.previousNick).toBe('alice');
    expect(renamed.contact.firstSeen).toBe(10);
    store.close();
  });

  it('finds every identity claiming a nick, case-insensitively', () => {
    let now = 1;
    const store = openSqliteStore({ path: ':memory:', now: () => now++ });
    store.contacts.pin(ALICE, 'alice');
    store.contacts.pin(BOB, 'Alice');
    store.contacts.pin(CAROL, 'carol');
    expect(store.contacts.findByNick('ALICE').map((c) => c.id)).toEqual([BOB, ALICE]); // most recent first
    expect(store.contacts.findByNick('nobody')).toEqual([]);
    expect(store.contacts.list().map((c) => c.id)).toEqual([ALICE, BOB, CAROL]);
    store.close();
  });

  it('finds a contact by any name that looks like its nick: Unicode case, fullwidth, Cyrillic, invisible', () => {
    let now = 1;
    const store = openSqliteStore({ path: ':memory:', now: () => now++ });
    store.contacts.pin(ALICE, 'bob');
    store.contacts.pin(CAROL, 'carol');
    for (const name of ['BOB', 'Ｂob', 'b\u043eb', 'b0b', 'bob\u200b', 'ВОВ']) {
      expect(
        store.contacts.findByNick(name).map((c) => c.id),
        name,
      ).toEqual([ALICE]);
    }
    // A rename moves the skeleton too.
    store.contacts.pin(ALICE, 'robert');
    expect(store.contacts.findByNick('bob')).toEqual([]);
    expect(store.contacts.findByNick('ROBERT').map((c) => c.id)).toEqual([ALICE]);
    store.close();
  });

  it('sets verified and blocked, and forget removes the pin and its flags', () => {
    const store = openSqliteStore({ path: ':memory:' });
    store.contacts.pin(ALICE, 'alice');
    expect(store.contacts.setVerified(ALICE, true)).toBe(true);
    expect(store.contacts.setBlocked(ALICE, true)).toBe(true);
    expect(store.contacts.get(ALICE)).toMatchObject({ verified: true, blocked: true });
    expect(store.contacts.setVerified(BOB, true)).toBe(false);
    expect(store.contacts.forget(ALICE)).toBe(true);
    expect(store.contacts.forget(ALICE)).toBe(false);
    expect(store.contacts.get(ALICE)).toBeUndefined();
    expect(store.contacts.pin(ALICE, 'alice').contact).toMatchObject({ verified: false, blocked: false });
    store.close();
  });
});

describe('rooms', () => {
  it('always has #general, joins and parts others, survives as data', () => {
    let now = 1;
    const store = openSqliteStore({ path: ':memory:', now: () => now++ });
    expect(store.rooms.join('#dev')).toBe(true);
    expect(store.rooms.join('#dev')).toBe(false);
    expect(store.rooms.join('#art')).toBe(true);
    expect(store.rooms.joined()).toEqual(['#general', '#dev', '#art']);
    expect(store.rooms.part('#general')).toBe(false);
    expect(store.rooms.part('#dev')).toBe(true);
    expect(store.rooms.part('#dev')).toBe(false);
    expect(store.rooms.joined()).toEqual(['#general', '#art']);
    expect(() => store.rooms.join('dev')).toThrow(/starts with #/);
    store.close();
  });

  it('learns members, most recently seen first', () => {
    let now = 1;
    const store = openSqliteStore({ path: ':memory:', now: () => now++ });
    store.rooms.addMember('#dev', ALICE);
    store.rooms.addMember('#dev', BOB);
    store.rooms.addMember('#dev', ALICE);
    store.rooms.addMember('#art', CAROL);
    expect(store.rooms.members('#dev')).toEqual([ALICE, BOB]);
    expect(store.rooms.removeMember('#dev', ALICE)).toBe(true);
    expect(store.rooms.members('#dev')).toEqual([BOB]);
    expect(store.rooms.members('#none')).toEqual([]);
    store.close();
  });
});
