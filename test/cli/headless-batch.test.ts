// The headless mode runs the lines of one stdin read as one batch (one commit). When the database
// fails in the middle of such a batch, the whole batch is rolled back and reported; the node
// stays up, and nothing of the batch reaches a peer.
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type HeadlessLine, runCommands } from '../../src/cli/headless.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { eventsOf, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';

let fixture: NodeFixture | undefined;
afterEach(async () => {
  await fixture?.destroy();
  fixture = undefined;
});

describe('headless batches', () => {
  it('reports a batch the database refused, sends none of it, and goes on', async () => {
    fixture = new NodeFixture();
    const bob = await fixture.start('bob');
    const carol = await fixture.start('carol');
    // alice's database refuses to queue anything for carol once the message row is in.
    const dbPath = `${fixture.dir}/alice.db`;
    openSqliteStore({ path: dbPath }).close();
    const raw = new Database(dbPath);
    raw.exec(`CREATE TRIGGER refuse_carol BEFORE INSERT ON deliveries
              WHEN NEW.recipient_id = '${carol.node.id}' BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    raw.close();
    const alice = await fixture.start('alice', { dbPath });
    await waitFor('alice sees both', () => onlineIds(alice).length === 2);

    const stdin = new PassThrough();
    const out: HeadlessLine[] = [];
    runCommands(alice.node, { stdin, write: (line) => out.push(line) }, () => {});
    stdin.write('/msg bob one\n/msg carol two\n/msg bob three\n'); // one read: one batch
    await waitFor('the batch error', () => out.filter((l) => l.type === 'error').length === 2);
    const [lineError, batchError] = out.filter((l) => l.type === 'error');
    expect(lineError).toMatchObject({ message: expect.stringMatching(/disk says no/) });
    expect(batchError).toMatchObject({
      message: expect.stringMatching(/last 3 commands were not saved, nothing of them was sent/),
    });
    expect(eventsOf(alice, 'sent')).toEqual([]);
    expect(alice.store.messages.history(`@${bob.node.id}`, { limit: 10 })).toEqual([]);

    // The node is fine and the next batch is not affected by the failed one.
    stdin.write('/msg bob four\n');
    await waitFor('four delivered', () => eventsOf(alice, 'delivered').length === 1);
    // Per-sender order: had "one" or "three" gone out, bob would have shown it before "four".
    expect(eventsOf(bob, 'message').map((m) => m.text)).toEqual(['four']);
    expect(eventsOf(alice, 'sent').map((e) => e.text)).toEqual(['four']);
    stdin.end();
  });
});
