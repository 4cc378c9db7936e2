import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeFileAccess } from '../../../src/files/node-file-access.js';
import { NodeFixture, onlineIds, waitFor } from '../node-fixture.js';
import { fileEvent, linked, spyFiles, writeRandomFile } from './transfer-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

const SIZE = 24 * 1024 * 1024;

describe('resume', () => {
  it('continues after the connection is cut at 50 % instead of starting over', async () => {
    const sender = spyFiles(createNodeFileAccess());
    let cut = false;
    const bobHost = '10.0.0.2';
    const receiver = spyFiles(createNodeFileAccess(), {
      onWritten: (total) => {
        if (!cut && total >= SIZE / 2) {
          cut = true;
          fx.network.setLinkDown(bobHost, true); // no FIN: both links just go silent
        }
      },
    });
    const alice = await fx.start('alice', { files: sender.files, host: '10.0.0.1' });
    const bob = await fx.start('bob', { files: receiver.files, host: bobHost });
    await linked(alice, bob);
    const source = join(fx.dir, 'big.bin');
    const data = writeRandomFile(source, SIZE);
    const offer = await alice.node.sendFile('bob', source);
    await fileEvent(bob, 'file_offer', offer.id);
    const inbox = join(fx.dir, 'inbox');
    await bob.node.acceptFile(offer.id, inbox);
    await waitFor('the cut', () => cut);
    await waitFor('bob notices', () => onlineIds(bob).length === 0, 15_000);
    fx.network.setLinkDown(bobHost, false);
    const done = await fileEvent(bob, 'file_done', offer.id, 30_000);
    expect(readFileSync(done.path).equals(data)).toBe(true);
    expect(sender.spy.sourceOffsets.length).toBeGreaterThanOrEqual(2);
    expect(sender.spy.sourceOffsets[0]).toBe(0);
    expect(sender.spy.sourceOffsets.at(-1)).toBeGreaterThan(0);
    // Re-sent = read beyond one copy of the file: well under the 60 % a restart from 0 would cost.
    expect(sender.spy.bytesRead - SIZE).toBeLessThan(SIZE * 0.6);
    expect(readdirSync(inbox)).toEqual(['big.bin']);
  }, 60_000);

  it('resumes after the receiver restarts, from its persisted offset', async () => {
    let stopAt: (() => void) | undefined;
    const receiverFiles = spyFiles(createNodeFileAccess(), {
      onWritten: (total) => {
        if (total >= SIZE / 2) stopAt?.();
      },
    });
    const sender = spyFiles(createNodeFileAccess());
    const alice = await fx.start('alice', { files: sender.files });
    const bobIdentity = nacl.sign.keyPair();
    const dbPath = join(fx.dir, 'bob.db');
    let bob = await fx.start('bob', { files: receiverFiles.files, identity: bobIdentity, dbPath });
    await linked(alice, bob);
    const source = join(fx.dir, 'big.bin');
    const data = writeRandomFile(source, SIZE);
    const offer = await alice.node.sendFile('bob', source);
    await fileEvent(bob, 'file_offer', offer.id);
    const inbox = join(fx.dir, 'inbox');
    const stopped = new Promise<void>((resolve) => {
      stopAt = () => {
        stopAt = undefined;
        resolve();
      };
    });
    await bob.node.acceptFile(offer.id, inbox);
    await stopped;
    await fx.stop(bob);
    bob = await fx.start('bob', { identity: bobIdentity, dbPath, host: bob.host });
    const done = await fileEvent(bob, 'file_done', offer.id, 30_000);
    expect(readFileSync(done.path).equals(data)).toBe(true);
    expect(sender.spy.sourceOffsets.at(-1)).toBeGreaterThan(0);
    expect(sender.spy.bytesRead - SIZE).toBeLessThan(SIZE * 0.6);
  }, 60_000);
});

describe('resume after the sender restarts', () => {
  it('the receiver asks the restarted sender for the rest and both finish', async () => {
    const aliceIdentity = nacl.sign.keyPair();
    const aliceDb = join(fx.dir, 'alice.db');
    let alice = await fx.start('alice', { identity: aliceIdentity, dbPath: aliceDb });
    let halfway: (() => void) | undefined;
    const bob = await fx.start('bob', {
      files: spyFiles(createNodeFileAccess(), { onWritten: (total) => total >= SIZE / 2 && halfway?.() })
        .files,
    });
    await linked(alice, bob);
    const source = join(fx.dir, 'big.bin');
    const data = writeRandomFile(source, SIZE);
    const offer = await alice.node.sendFile('bob', source);
    await fileEvent(bob, 'file_offer', offer.id);
    const reached = new Promise<void>((resolve) => {
      halfway = () => {
        halfway = undefined;
        resolve();
      };
    });
    await bob.node.acceptFile(offer.id, join(fx.dir, 'inbox'));
    await reached;
    await fx.stop(alice);
    alice = await fx.start('alice', { identity: aliceIdentity, dbPath: aliceDb, host: alice.host });
    const done = await fileEvent(bob, 'file_done', offer.id, 30_000);
    expect(readFileSync(done.path).equals(data)).toBe(true);
    await fileEvent(alice, 'file_done', offer.id);
    expect(alice.node.transferList()[0]).toMatchObject({ state: 'done', bytes: SIZE });
  }, 60_000);
});
