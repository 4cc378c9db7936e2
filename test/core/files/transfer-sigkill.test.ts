// Resume after the receiver is killed with SIGKILL mid-transfer and started again: real processes,
// TCP on 127.0.0.1, static peers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FileNodeProcess, freePort, nodeSpec } from './sigkill-child.js';
import { writeRandomFile } from './transfer-fixture.js';

const SIZE = 128 * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'lanchat-sigkill-'));
const running: FileNodeProcess[] = [];
afterEach(async () => {
  for (const p of running) await p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('resume after SIGKILL of the receiver', () => {
  it('continues from the persisted verified offset, not from zero', async () => {
    const alice = nodeSpec('alice', await freePort());
    const bob = nodeSpec('bob', await freePort());
    const inbox = join(dir, 'inbox');
    const start = (who: typeof alice, peer: typeof alice) => {
      const p = new FileNodeProcess(who, peer, join(dir, `${who.nick}.db`), inbox);
      running.push(p);
      return p;
    };
    const a = start(alice, bob);
    let b = start(bob, alice);
    await a.waitFor('alice online', (e) => e.type === 'peer_online');
    await b.waitFor('bob online', (e) => e.type === 'peer_online');
    const source = join(dir, 'big.bin');
    const data = writeRandomFile(source, SIZE);
    a.command(`/send bob ${source}`);
    const offered = await a.waitFor('offered', (e) => e.type === 'file_offered');
    const id = String(offered.id);
    await b.waitFor('offer', (e) => e.type === 'file_offer' && e.id === id);
    b.command(`/accept ${id} ${inbox}`);
    await b.waitFor('half way', (e) => e.type === 'file_progress' && Number(e.bytes) >= SIZE / 2, 60_000);
    await b.kill('SIGKILL');
    const db = new Database(join(dir, 'bob.db'), { readonly: true });
    const verified = (
      db.prepare('SELECT verified FROM transfers WHERE id = ?').get(id) as { verified: number }
    ).verified;
    db.close();
    expect(verified).toBeGreaterThan(0);

    b = start(bob, alice);
    const done = await b.waitFor('done', (e) => e.type === 'file_done' && e.id === id, 60_000);
    const firstProgress = b.events.find((e) => e.type === 'file_progress' && e.id === id);
    // The first progress after the restart already counts the kept bytes: it did not start over.
    if (firstProgress) expect(Number(firstProgress.bytes)).toBeGreaterThanOrEqual(verified);
    expect(readFileSync(String(done.path)).equals(data)).toBe(true);
    await a.waitFor('sender done', (e) => e.type === 'file_done' && e.id === id);
    console.log(
      `killed at ≥ 50 %; ${((verified / SIZE) * 100).toFixed(0)} % was fsynced and kept; resumed from there`,
    );
  }, 120_000);
});
