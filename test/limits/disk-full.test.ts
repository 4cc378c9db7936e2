// A disk that fills up (issue 15, item 5), on a real file system: the victim's profile and
// download folder live on a 6 MiB tmpfs that the test fills to the last byte. DMs, room messages
// and a file then arrive from a peer: the victim stays up, tells its user in plain words, acks
// nothing it could not store (the sender keeps it queued), and once space is freed everything
// arrives, once each. Needs root for the mount; skipped with the reason otherwise. (A read-only
// remount cannot be tested this way: Linux refuses it while the database is open for writing;
// SQLITE_READONLY/EROFS take the same paths, their mapping is in test/store/sqlite-open.test.ts.)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FileAccess } from '../../src/core/files/file-access.js';
import { createNodeFileAccess } from '../../src/files/node-file-access.js';
import { fileEvent, sha256File, writeRandomFile } from '../core/files/transfer-fixture.js';
import { eventsOf, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'lanchat-full-'));
const mounted = mountTmpfs(mountPoint, '6m');

function mountTmpfs(dir: string, size: string): { ok: true } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'mounting a small tmpfs needs root' };
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'lanchat-full', dir], {
      stdio: 'pipe',
    });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `mount -t tmpfs failed: ${(err as Error).message}` };
  }
}

/** Writes filler files until the file system refuses another byte. */
function fill(dir: string): void {
  mkdirSync(join(dir, 'filler'), { recursive: true });
  let n = 0;
  for (const size of [256 * 1024, 4096, 512, 1]) {
    for (;;) {
      try {
        writeFileSync(join(dir, 'filler', `${n++}`), Buffer.alloc(size, 1));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        break;
      }
    }
  }
}

function unfill(dir: string): void {
  for (const name of readdirSync(join(dir, 'filler'))) unlinkSync(join(dir, 'filler', name));
}

let fx: NodeFixture;
beforeAll(() => {
  if (!mounted.ok) console.warn(`disk-full.test.ts skipped: ${mounted.reason}`);
});
afterAll(() => {
  if (mounted.ok) execFileSync('umount', ['-l', mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

describe.skipIf(!mounted.ok)('a full disk', () => {
  it('keeps the node up, acks nothing it could not store, and everything arrives once space is freed', async () => {
    const downloads = join(mountPoint, 'downloads');
    const real = createNodeFileAccess();
    // The up-front free-space check at /accept (64 MiB margin) would refuse at once on this small
    // disk; claiming plenty lets the writes themselves run into ENOSPC, as when the disk fills
    // during a long download.
    const files: FileAccess = { ...real, freeBytes: async () => 1e12 };
    const victim = await fx.start('victim', {
      dbPath: join(mountPoint, 'victim.db'),
      files,
      init: { files: { downloadDir: downloads } },
    });
    const alice = await fx.start('alice', { init: { ackTimeoutMs: 1_000 } });
    await waitFor('linked', () => onlineIds(alice).length === 1 && onlineIds(victim).length === 1);
    victim.node.join('#ops');
    alice.node.join('#ops');
    await waitFor(
      'room members',
      () => alice.node.peerList().length === 1 && eventsOf(alice, 'member_joined').length > 0,
    );
    // Offered while there is room, so the offer is on record.
    const source = join(fx.dir, 'report.bin');
    writeRandomFile(source, 3 * 1024 * 1024);
    const offer = await alice.node.sendFile('victim', source);
    await fileEvent(victim, 'file_offer', offer.id);

    fill(mountPoint);
    const text = (i: number) => `${i} ${'x'.repeat(8 * 1024)}`;
    const sent = alice.node.batch(() => [
      ...Array.from({ length: 30 }, (_, i) => alice.node.sendDirect('victim', `dm ${text(i)}`)),
      ...Array.from({ length: 30 }, (_, i) => alice.node.sendRoom('#ops', `room ${text(i)}`)),
    ]);
    const failed = await waitFor('the user is told', () =>
      eventsOf(victim, 'error').find((e) => e.code === 'store-failed'),
    );
    expect(failed.message).toMatch(/disk is full.*stay queued at their senders/);
    // Not acked: the sender still holds what the victim could not store.
    expect(eventsOf(alice, 'delivered').length).toBeLessThan(sent.length);

    // The file: the partial file runs into ENOSPC; both sides are told why, in words.
    await victim.node.acceptFile(offer.id);
    const victimFailed = await fileEvent(victim, 'file_failed', offer.id);
    expect(victimFailed.code).toBe('no-space');
    expect(victimFailed.message).toMatch(/is full.*free some space/i);
    const aliceFailed = await fileEvent(alice, 'file_failed', offer.id);
    expect(aliceFailed.message).toMatch(/its disk is full/);
    await waitFor('the partial file removed', () =>
      readdirSync(downloads).every((n) => !n.endsWith('.lanchat-part')),
    );

    // Alive: still linked, still answering.
    expect(onlineIds(victim)).toEqual([alice.node.id]);
    expect(victim.node.snapshot().rooms).toContain('#ops');

    unfill(mountPoint);
    await waitFor('everything delivered', () => eventsOf(alice, 'delivered').length >= sent.length, 30_000);
    const shown = eventsOf(victim, 'message').map((m) => m.id);
    expect([...shown].sort()).toEqual([...sent].sort()); // each once, none lost
    expect(alice.store.outbox.pendingAfter(victim.node.id, 0, 10)).toEqual([]);

    // And the file, sent again.
    const again = await alice.node.sendFile('victim', source);
    await fileEvent(victim, 'file_offer', again.id);
    await victim.node.acceptFile(again.id);
    const done = await fileEvent(victim, 'file_done', again.id);
    expect(await sha256File(done.path)).toBe(await sha256File(source));
  });
});
