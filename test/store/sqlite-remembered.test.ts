import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { MAX_REMEMBERED_ADDRESSES, MAX_REMEMBERED_PEERS, StoreError } from '../../src/store/store.js';
import { ALICE, BOB, tempProfile } from './store-fixtures.js';

describe('remembered peers', () => {
  it('keeps the last working address first, bounded, and clears the error on success', () => {
    let now = 100;
    const store = openSqliteStore({ path: ':memory:', now: () => now });
    store.remembered.remember(ALICE, '10.0.0.1', 7475);
    for (let i = 2; i <= MAX_REMEMBERED_ADDRESSES + 2; i++)
      store.remembered.remember(ALICE, `10.0.0.${i}`, 7475);
    store.remembered.remember(ALICE, '10.0.0.4', 7476);
    const alice = store.remembered.get(ALICE)!;
    expect(alice.addresses[0]).toBe('10.0.0.4');
    expect(alice.addresses).toHaveLength(MAX_REMEMBERED_ADDRESSES);
    expect(new Set(alice.addresses).size).toBe(MAX_REMEMBERED_ADDRESSES);
    expect(alice.port).toBe(7476);
    now = 200;
    store.remembered.noteError(ALICE, 'connect ETIMEDOUT 10.0.0.4:7476');
    store.remembered.noteError(BOB, 'not remembered: ignored');
    expect(store.remembered.get(ALICE)).toMatchObject({
      lastError: 'connect ETIMEDOUT 10.0.0.4:7476',
      lastErrorAt: 200,
    });
    expect(store.remembered.get(BOB)).toBeUndefined();
    now = 300;
    store.remembered.remember(ALICE, '10.0.0.4', 7476);
    expect(store.remembered.get(ALICE)?.lastError).toBeUndefined();
    expect(store.remembered.get(ALICE)?.lastConnected).toBe(300);
    store.close();
  });

  it('ages out, forgets, and keeps at most MAX_REMEMBERED_PEERS (the longest unseen go)', () => {
    let now = 1;
    const store = openSqliteStore({ path: ':memory:', now: () => now });
    for (let i = 0; i < MAX_REMEMBERED_PEERS + 5; i++) {
      now = i + 1;
      store.remembered.remember(`peer${String(i).padStart(39, '0')}`, '10.0.0.1', 7475);
    }
    const list = store.remembered.list();
    expect(list).toHaveLength(MAX_REMEMBERED_PEERS);
    expect(list[0]!.lastConnected).toBe(MAX_REMEMBERED_PEERS + 5);
    expect(list.some((p) => p.lastConnected <= 5)).toBe(false);
    expect(store.remembered.expire(100)).toBe(100 - 6);
    expect(store.remembered.forget(list[0]!.id)).toBe(true);
    expect(store.remembered.forget(list[0]!.id)).toBe(false);
    store.close();
  });

  it('refuses nonsense and reads a damaged row as no addresses', () => {
    const profile = tempProfile();
    const store = profile.open();
    expect(() => store.remembered.remember(ALICE, '', 7475)).toThrow(StoreError);
    expect(() => store.remembered.remember(ALICE, '10.0.0.1', 0)).toThrow(StoreError);
    store.remembered.remember(ALICE, '10.0.0.1', 7475);
    store.remembered.remember(BOB, '10.0.0.2', 7475);
    store.close();
    const raw = new Database(profile.dbPath);
    raw.prepare('UPDATE remembered_peers SET addresses = ? WHERE id = ?').run('{"not":"a list"', ALICE);
    raw
      .prepare('UPDATE remembered_peers SET addresses = ? WHERE id = ?')
      .run(JSON.stringify([1, 'x'.repeat(500), '10.0.0.2']), BOB);
    raw.close();
    const again = profile.open();
    expect(again.remembered.get(ALICE)?.addresses).toEqual([]);
    expect(again.remembered.get(BOB)?.addresses).toEqual(['10.0.0.2']);
    again.close();
    profile.remove();
  });
});
