// A whole transfer against a downloads folder where someone planted symlinks under the names the
// download will use: the transfer fails or picks another name, the file behind the link keeps its
// bytes, and the nodes go on chatting.
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partName } from '../../../src/core/files/transfer-context.js';
import { eventsOf, NodeFixture, waitFor } from '../node-fixture.js';
import { failedOrDone, fileEvent, linked, writeRandomFile } from './transfer-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

describe('downloads next to planted symlinks', () => {
  it('refuses to write through a symlink under the partial name, and chat still flows', async () => {
    const alice = await fx.start('alice');
    const bob = await fx.start('bob');
    await linked(alice, bob);
    const victim = join(fx.dir, 'bob-ssh-authorized_keys');
    writeFileSync(victim, 'ssh-ed25519 AAAA bob@laptop\n');
    const source = join(fx.dir, 'payload.bin');
    writeRandomFile(source, 200_000);
    const offer = await alice.node.sendFile('bob', source);
    await fileEvent(bob, 'file_offer', offer.id);
    const inbox = join(fx.dir, 'inbox');
    mkdirSync(inbox);
    symlinkSync(victim, join(inbox, partName(offer.id)));
    await bob.node.acceptFile(offer.id, inbox).catch(() => undefined);
    const outcome = await waitFor('the transfer ends', () => failedOrDone(bob, offer.id));
    expect(readFileSync(victim, 'utf8')).toBe('ssh-ed25519 AAAA bob@laptop\n');
    expect(outcome.type).toBe('file_failed');
    expect((outcome as { message: string }).message).toMatch(/symbolic link/);
    alice.node.sendDirect('bob', 'still there?');
    await waitFor('the DM', () => eventsOf(bob, 'message').some((m) => m.text === 'still there?'));
  });

  it('takes another final name when a symlink sits under the offered one', async () => {
    const alice = await fx.start('alice');
    const bob = await fx.start('bob');
    await linked(alice, bob);
    const victim = join(fx.dir, 'bob-notes.txt');
    writeFileSync(victim, 'my notes\n');
    const source = join(fx.dir, 'notes.txt');
    const data = writeRandomFile(source, 50_000);
    const inbox = join(fx.dir, 'inbox');
    mkdirSync(inbox);
    symlinkSync(victim, join(inbox, 'notes.txt'));
    const offer = await alice.node.sendFile('bob', source);
    await fileEvent(bob, 'file_offer', offer.id);
    await bob.node.acceptFile(offer.id, inbox);
    const done = await fileEvent(bob, 'file_done', offer.id);
    expect(done.path).toBe(join(inbox, 'notes (1).txt'));
    expect(readFileSync(done.path)).toEqual(data);
    expect(lstatSync(join(inbox, 'notes.txt')).isSymbolicLink()).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe('my notes\n');
    expect(existsSync(join(inbox, partName(offer.id)))).toBe(false);
  });
});
