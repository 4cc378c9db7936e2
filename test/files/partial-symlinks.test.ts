// The download side of the file adapter against a local attacker who can write into the downloads
// folder (a shared or world-writable directory): symlinks and hard links planted under the partial
// or final name, before, between and during our opens. Whatever happens, the file they point at
// keeps its bytes.
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileAccessError } from '../../src/files/file-access-error.js';
import { createNodeFileAccess } from '../../src/files/node-file-access.js';

const files = createNodeFileAccess();
const PART = '.t1.lanchat-part';
const PRECIOUS = 'the user\u2019s own file: must never change\n';

let dir: string;
let inbox: string;
let victim: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lanchat-symlinks-'));
  inbox = join(dir, 'inbox');
  victim = join(dir, 'victim.txt');
  writeFileSync(victim, PRECIOUS);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function unsafe(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FileAccessError);
  expect((error as FileAccessError).code).toBe('unsafe-path');
}

describe('partial and final download files', () => {
  beforeEach(() => files.ensureDir(inbox));

  it('refuses a symlink planted under the partial name instead of writing through it', async () => {
    symlinkSync(victim, join(inbox, PART));
    await unsafe(files.openPartial(inbox, PART, 0));
    expect(readFileSync(victim, 'utf8')).toBe(PRECIOUS);
  });

  it('refuses a dangling symlink under the partial name (it would create the target)', async () => {
    const target = join(dir, 'created-elsewhere');
    symlinkSync(target, join(inbox, PART));
    await unsafe(files.openPartial(inbox, PART, 0));
    expect(existsSync(target)).toBe(false);
  });

  it('refuses to resume into a partial replaced by a symlink or a hard link after we wrote it', async () => {
    const partial = await files.openPartial(inbox, PART, 0);
    await partial.write(Buffer.from('first bytes'));
    const offset = await partial.sync();
    await partial.close();
    // A resume after a crash reopens the partial by name: by then it may be something else.
    unlinkSync(join(inbox, PART));
    symlinkSync(victim, join(inbox, PART));
    await unsafe(files.openPartial(inbox, PART, offset));
    unlinkSync(join(inbox, PART));
    linkSync(victim, join(inbox, PART));
    await unsafe(files.openPartial(inbox, PART, offset));
    expect(readFileSync(victim, 'utf8')).toBe(PRECIOUS);
  });

  it('still resumes its own partial file from the confirmed offset', async () => {
    const partial = await files.openPartial(inbox, PART, 0);
    await partial.write(Buffer.from('confirmed|unconfirmed'));
    await partial.sync();
    await partial.close();
    const again = await files.openPartial(inbox, PART, 'confirmed|'.length);
    expect(again.written).toBe('confirmed|'.length);
    await again.write(Buffer.from('rest'));
    await again.sync();
    await again.close();
    expect(readFileSync(join(inbox, PART), 'utf8')).toBe('confirmed|rest');
  });

  it('loses every race against a symlink appearing while the partial is opened', async () => {
    // The attacker plants the symlink after 0..7 round trips to the thread pool, so across the
    // rounds it lands before our first open, between our two opens, or after them. Each round
    // either creates our own file (and the symlink then fails) or is refused; the victim never
    // changes.
    let created = 0;
    let refusedRounds = 0;
    for (let round = 0; round < 200; round++) {
      const name = `.r${round}.lanchat-part`;
      const opening = files.openPartial(inbox, name, 0);
      const planting = (async () => {
        for (let i = 0; i < round % 8; i++) await stat(dir);
        try {
          symlinkSync(victim, join(inbox, name));
        } catch {}
      })();
      const [outcome] = await Promise.allSettled([opening, planting]);
      if (outcome.status === 'fulfilled') {
        created++;
        await outcome.value.write(Buffer.from('downloaded bytes'));
        await outcome.value.close();
        expect(lstatSync(join(inbox, name)).isFile()).toBe(true);
      } else {
        refusedRounds++;
        expect((outcome.reason as FileAccessError).code).toBe('unsafe-path');
      }
      expect(readFileSync(victim, 'utf8')).toBe(PRECIOUS);
    }
    expect(created).toBeGreaterThan(0);
    expect(refusedRounds).toBeGreaterThan(0);
  });

  it('never publishes over a symlink under the final name, and never publishes a swapped partial', async () => {
    symlinkSync(victim, join(inbox, 'photo.jpg'));
    const partial = await files.openPartial(inbox, PART, 0);
    await partial.write(Buffer.from('the photo'));
    await partial.sync();
    await partial.close();
    const path = await files.publish(partial.path, inbox, 'photo.jpg');
    expect(path).toBe(join(inbox, 'photo (1).jpg'));
    expect(readFileSync(path, 'utf8')).toBe('the photo');
    expect(lstatSync(join(inbox, 'photo.jpg')).isSymbolicLink()).toBe(true);

    // Between the last write and the move into place, the partial becomes a symlink.
    const second = await files.openPartial(inbox, '.t2.lanchat-part', 0);
    await second.write(Buffer.from('another'));
    await second.close();
    unlinkSync(second.path);
    symlinkSync(victim, second.path);
    await unsafe(files.publish(second.path, inbox, 'other.txt'));
    expect(existsSync(join(inbox, 'other.txt'))).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe(PRECIOUS);
  });
});
