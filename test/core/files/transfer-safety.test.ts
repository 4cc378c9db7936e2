import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

describe('transfer safety', () => {
  it('fails cleanly with hash-mismatch when a chunk is corrupted, leaving no file', async () => {
    // The sender's disk returns one flipped bit: box-stream delivers it faithfully, the hash must not pass it.
    const corrupt = spyFiles(createNodeFileAccess(), {
      mapChunk: (chunk, offset) => {
        if (offset !== 64 * 1024) return chunk;
        const copy = Buffer.from(chunk);
        copy[100] = (copy[100] ?? 0) ^ 1;
        return copy;
      },
    });
    const alice = await fx.start('alice', { files: corrupt.files });
    const bob = await fx.start('bob');
    await linked(alice, bob);
    const source = join(fx.dir, 'data.bin');
    writeRandomFile(source, 1024 * 1024);
    const offer = await alice.node.sendFile('bob', source);
    await fileEvent(bob, 'file_offer', offer.id);
    const inbox = join(fx.dir, 'inbox');
    await bob.node.acceptFile(offer.id, inbox);
    const failed = await fileEvent(bob, 'file_failed', offer.id);
    expect(failed.code).toBe('hash-mismatch');
    const senderSide = await fileEvent(alice, 'file_failed', offer.id);
    expect(senderSide.code).toBe('hash-mismatch');
    await waitFor('temp removed', () => readdirSync(inbox).length === 0);
    expect(bob.events.some((e) => e.type === 'file_done')).toBe(false);
  });

  it('fails with hash-mismatch when the file changed after the offer (wrong hash)', async () => {
    const alice = await fx.start('alice');
    const bob = await fx.start('bob');
    await linked(alice, bob);
    const source = join(fx.dir, 'notes.txt');
    writeFileSync(source, 'version one of the notes\n');
    const offer = await alice.node.sendFile('bob', source);
    writeFileSync(source, 'version 2 of the notes!!\n'); // same size, other bytes
    await fileEvent(bob, 'file_offer', offer.id);
    const inbox = join(fx.dir, 'inbox');
    await bob.node.acceptFile(offer.id, inbox);
    expect((await fileEvent(bob, 'file_failed', offer.id)).code).toBe('hash-mismatch');
    await waitFor('nothing left', () => readdirSync(inbox).length === 0);
  });

  it('never writes over an existing file: the new one gets a suffix', async () => {
    const alice = await fx.start('alice');
    const bob = await fx.start('bob');
    await linked(alice, bob);
    const source = join(fx.dir, 'x.bin');
    const data = writeRandomFile(source, 5000);
    const sent = await alice.node.sendFile('bob', source);
    const inbox = join(fx.dir, 'inbox');
    mkdirSync(inbox);
    writeFileSync(join(inbox, 'x.bin'), 'mine');
    await fileEvent(bob, 'file_offer', sent.id);
    await bob.node.acceptFile(sent.id, inbox);
    const first = await fileEvent(bob, 'file_done', sent.id);
    expect(first.path).toBe(join(inbox, 'x (1).bin'));
    expect(readFileSync(join(inbox, 'x (1).bin'))).toEqual(data);
    expect(readFileSync(join(inbox, 'x.bin'), 'utf8')).toBe('mine');
    await fileEvent(alice, 'file_done', sent.id);
  });

  it('lands a hostile offered name as a safe name inside the chosen directory', async () => {
    // A hostile sender offers whatever name it likes: here through its file access.
    const base = createNodeFileAccess();
    const hostile = '../../etc/\u202Egpj.exe\u0007..';
    const evil = { ...base, inspect: async (p: string) => ({ ...(await base.inspect(p)), name: hostile }) };
    const alice = await fx.start('alice', { files: evil });
    const bob = await fx.start('bob');
    await linked(alice, bob);
    const source = join(fx.dir, 'x.bin');
    const data = writeRandomFile(source, 5000);
    const sent = await alice.node.sendFile('bob', source);
    const offer = await fileEvent(bob, 'file_offer', sent.id);
    expect(offer.name).toBe('_gpj.exe_');
    const inbox = join(fx.dir, 'deep', 'inbox');
    await bob.node.acceptFile(sent.id, inbox);
    const done = await fileEvent(bob, 'file_done', sent.id);
    expect(done.path).toBe(join(inbox, '_gpj.exe_'));
    expect(readFileSync(done.path).equals(data)).toBe(true);
    expect(readdirSync(inbox)).toEqual(['_gpj.exe_']);
    expect(existsSync(join(fx.dir, 'etc'))).toBe(false);
  });

  it('leaves nothing behind for a rejected offer or a cancelled transfer', async () => {
    const alice = await fx.start('alice');
    const bob = await fx.start('bob');
    await linked(alice, bob);
    const source = join(fx.dir, 'a.bin');
    writeRandomFile(source, 64 * 1024 * 1024);
    const inbox = join(fx.dir, 'inbox');
    mkdirSync(inbox);
    const rejected = await alice.node.sendFile('bob', source);
    await fileEvent(bob, 'file_offer', rejected.id);
    bob.node.rejectFile(rejected.id);
    expect((await fileEvent(alice, 'file_failed', rejected.id)).code).toBe('rejected');

    const cancelled = await alice.node.sendFile('bob', source);
    await fileEvent(bob, 'file_offer', cancelled.id);
    await bob.node.acceptFile(cancelled.id, inbox);
    await fileEvent(bob, 'file_progress', cancelled.id);
    await alice.node.cancelFile(cancelled.id);
    expect((await fileEvent(bob, 'file_failed', cancelled.id)).code).toBe('cancelled');
    await waitFor('partial removed', () => readdirSync(inbox).length === 0);
    expect(
      bob.node
        .transferList()
        .map((t) => t.state)
        .sort(),
    ).toEqual(['cancelled', 'rejected']);
  }, 30_000);

  it('refuses offers above the size cap and accepts without free space', async () => {
    const alice = await fx.start('alice');
    const bob = await fx.start('bob', {
      init: { files: { maxFileSize: 1000 } },
      files: spyFiles(createNodeFileAccess(), { freeBytes: 10 }).files,
    });
    await linked(alice, bob);
    const source = join(fx.dir, 'big.bin');
    writeRandomFile(source, 2000);
    const big = await alice.node.sendFile('bob', source);
    expect((await fileEvent(bob, 'file_failed', big.id)).code).toBe('too-large');
    expect((await fileEvent(alice, 'file_failed', big.id)).code).toBe('rejected');
    const small = join(fx.dir, 'small.bin');
    writeRandomFile(small, 500);
    const ok = await alice.node.sendFile('bob', small);
    await fileEvent(bob, 'file_offer', ok.id);
    await expect(bob.node.acceptFile(ok.id, join(fx.dir, 'inbox'))).rejects.toMatchObject({
      code: 'no-space',
    });
  });

  it('closes a data link that names no accepted transfer (unsolicited data)', async () => {
    const alice = await fx.start('alice');
    const bob = await fx.start('bob');
    await linked(alice, bob);
    const dial = (
      alice.node as unknown as {
        dialData(
          id: string,
          t: string,
          o: number,
        ): Promise<{ isClosed: boolean; sendFrame(type: number, p: Uint8Array): boolean }>;
      }
    ).dialData.bind(alice.node);
    const link = await dial(bob.node.id, 'no-such-transfer', 0);
    link.sendFrame(2, new Uint8Array(1000));
    await waitFor('refused', () => link.isClosed);
    expect(bob.events.some((e) => e.type === 'warning' && e.code === 'unsolicited-file-data')).toBe(true);
    expect(onlineIds(bob)).toEqual([alice.node.id]); // the chat link is untouched
  });

  it('auto-accepts from a verified contact when asked to', async () => {
    const inbox = join(fx.dir, 'auto');
    const alice = await fx.start('alice');
    const bob = await fx.start('bob', { init: { files: { autoAcceptVerified: true, downloadDir: inbox } } });
    await linked(alice, bob);
    const number = bob.node.verify('alice').safetyNumber;
    bob.node.verify('alice', number);
    const source = join(fx.dir, 'auto.bin');
    const data = writeRandomFile(source, 10_000);
    const offer = await alice.node.sendFile('bob', source);
    const done = await fileEvent(bob, 'file_done', offer.id);
    expect(readFileSync(done.path).equals(data)).toBe(true);
  });
});
