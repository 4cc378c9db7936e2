// The quota on unfinished downloads and on waiting offers (issue 15, item 5): a peer cannot make
// us reserve more disk for partial files than --max-downloading, nor fill the transfer table and
// the screen with offers. Both sides are told why, in words.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileAccess, PartialFile } from '../../src/core/files/file-access.js';
import { MAX_OPEN_OFFERS_PER_PEER } from '../../src/core/files/transfer-service.js';
import { createNodeFileAccess } from '../../src/files/node-file-access.js';
import { fileEvent, writeRandomFile } from '../core/files/transfer-fixture.js';
import { eventsOf, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';

const MIB = 1024 * 1024;
let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

/** The real file access, except that writes into partial files never complete: an accepted
 * transfer stays unfinished (as a slow sender's would) for as long as the test needs. */
function stallingFiles(): FileAccess {
  const real = createNodeFileAccess();
  return {
    ...real,
    async openPartial(dir, name, offset) {
      const partial = await real.openPartial(dir, name, offset);
      return new Proxy(partial, {
        get(target, key) {
          if (key === 'write') return () => new Promise<void>(() => {});
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as PartialFile;
    },
  };
}

async function pair(maxDownloadingBytes: number) {
  const victim = await fx.start('victim', {
    files: stallingFiles(),
    init: { files: { maxDownloadingBytes, downloadDir: join(fx.dir, 'downloads') } },
  });
  const alice = await fx.start('alice');
  await waitFor('linked', () => onlineIds(alice).length === 1 && onlineIds(victim).length === 1);
  return { victim, alice };
}

async function offer(from: Awaited<ReturnType<typeof pair>>['alice'], name: string, size: number) {
  const path = join(fx.dir, name);
  writeRandomFile(path, size);
  return from.node.sendFile('victim', path);
}

describe('unfinished downloads', () => {
  it('an offer that would take them past --max-downloading is refused, and both sides say why', async () => {
    const { victim, alice } = await pair(3 * MIB);
    const a = await offer(alice, 'a.bin', 2 * MIB);
    await fileEvent(victim, 'file_offer', a.id);
    await victim.node.acceptFile(a.id); // stays unfinished: 2 MiB of the 3 reserved

    const b = await offer(alice, 'b.bin', 2 * MIB);
    const refused = await fileEvent(victim, 'file_failed', b.id);
    expect(refused.code).toBe('over-quota');
    expect(refused.message).toMatch(
      /refused b\.bin from alice: unfinished downloads would take 4\.0 MiB, above --max-downloading 3\.0 MiB/,
    );
    const told = await fileEvent(alice, 'file_failed', b.id);
    expect(told.message).toMatch(/victim rejected b\.bin: their unfinished downloads are at their limit/);
    expect(eventsOf(victim, 'file_offer').map((o) => o.id)).not.toContain(b.id);
  });

  it('/accept past the quota is refused and the offer kept; after a /cancel it is accepted', async () => {
    const { victim, alice } = await pair(3 * MIB);
    const a = await offer(alice, 'a.bin', 2 * MIB);
    const c = await offer(alice, 'c.bin', 1 * MIB);
    const e = await offer(alice, 'e.bin', 1 * MIB);
    for (const t of [a, c, e]) await fileEvent(victim, 'file_offer', t.id);
    await victim.node.acceptFile(a.id);
    await victim.node.acceptFile(c.id); // exactly 3 MiB
    await expect(victim.node.acceptFile(e.id)).rejects.toMatchObject({
      code: 'over-quota',
      message: expect.stringMatching(/cannot accept e\.bin: .*above --max-downloading/),
    });
    expect(victim.node.transferList().find((t) => t.id === e.id)?.state).toBe('offered');
    await victim.node.cancelFile(a.id);
    await victim.node.acceptFile(e.id);
    expect(victim.node.transferList().find((t) => t.id === e.id)?.state).toBe('accepted');
  });
});

describe('waiting offers from one peer', () => {
  it(`are capped at ${MAX_OPEN_OFFERS_PER_PEER}: more are refused unrecorded, logged once`, async () => {
    const { victim, alice } = await pair(16 * 1024 * MIB);
    const extra = 5;
    const path = join(fx.dir, 'small.bin');
    writeRandomFile(path, 1024);
    const sent = [];
    for (let i = 0; i < MAX_OPEN_OFFERS_PER_PEER + extra; i++)
      sent.push(await alice.node.sendFile('victim', path));
    await waitFor('every offer answered or listed', () => {
      const rejected = eventsOf(alice, 'file_failed').length;
      return eventsOf(victim, 'file_offer').length + rejected === sent.length;
    });
    expect(eventsOf(victim, 'file_offer')).toHaveLength(MAX_OPEN_OFFERS_PER_PEER);
    expect(victim.node.transferList()).toHaveLength(MAX_OPEN_OFFERS_PER_PEER);
    const rejected = eventsOf(alice, 'file_failed');
    expect(rejected).toHaveLength(extra);
    expect(rejected[0]?.message).toMatch(/too many offers from you waiting for an answer/);
    expect(eventsOf(victim, 'warning').filter((w) => w.code === 'too-many-offers')).toHaveLength(1);
  });
});
