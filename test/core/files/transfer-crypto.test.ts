// When the fast cipher (libsodium) is loaded for file transfers: not at start-up or while joining,
// but once a transfer is offered; and each side waits for it before file bytes move, so a transfer
// always runs on it.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secretboxEngine } from '../../../src/crypto/secretbox-raw.js';
import { createNodeFileAccess } from '../../../src/files/node-file-access.js';
import { NodeFixture, waitFor } from '../node-fixture.js';
import { fileEvent, linked, sha256File, writeRandomFile } from './transfer-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

/** A stand-in loader that is ready only when the test says so; logs its calls and its release. */
function gate(who: string, log: string[]) {
  let open: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    open = resolve;
  });
  const g = {
    calls: 0,
    load: () => {
      g.calls++;
      log.push(`${who} load`);
      return ready;
    },
    release: () => {
      log.push(`${who} ready`);
      open();
    },
  };
  return g;
}

describe('fast cipher for file transfers', () => {
  it('is not loaded by start-up or joining; a transfer loads it and runs on it', async () => {
    const alice = await fx.start('alice');
    const bob = await fx.start('bob');
    await linked(alice, bob);
    // Both nodes are ready and joined (handshakes, hellos, presence): still tweetnacl.
    expect(secretboxEngine()).toBe('tweetnacl');
    const source = join(fx.dir, 'a.bin');
    writeRandomFile(source, 300_000);
    const offered = await alice.node.sendFile('bob', source);
    await fileEvent(bob, 'file_offer', offered.id);
    await bob.node.acceptFile(offered.id, join(fx.dir, 'inbox'));
    const done = await fileEvent(bob, 'file_done', offered.id);
    expect(await sha256File(done.path)).toBe(offered.sha256);
    expect(secretboxEngine()).toBe('libsodium');
  });

  it('starts loading on the offer; no data link is dialled and no byte asked for before it is ready', async () => {
    const log: string[] = [];
    const a = gate('alice', log);
    const b = gate('bob', log);
    const files = createNodeFileAccess();
    const alice = await fx.start('alice', {
      fastCrypto: a.load,
      transport: (base) => ({
        ...base,
        dial: (options) => {
          log.push('alice dial');
          return base.dial(options);
        },
      }),
    });
    const bob = await fx.start('bob', {
      fastCrypto: b.load,
      files: {
        ...files,
        openPartial: (...args) => {
          log.push('bob opens the partial file');
          return files.openPartial(...args);
        },
      },
    });
    await linked(alice, bob);
    expect([a.calls, b.calls]).toEqual([0, 0]);
    log.length = 0; // the chat link's dials are not what this test is about

    const source = join(fx.dir, 'b.bin');
    writeRandomFile(source, 200_000);
    const offered = await alice.node.sendFile('bob', source);
    expect(a.calls).toBe(1); // the sender starts loading when it offers
    await fileEvent(bob, 'file_offer', offered.id);
    expect(b.calls).toBe(1); // the receiver when the offer arrives

    const accepting = bob.node.acceptFile(offered.id, join(fx.dir, 'inbox'));
    await waitFor('bob waits for its cipher', () => b.calls === 2);
    b.release();
    await accepting;
    await fileEvent(alice, 'file_accepted', offered.id);
    await waitFor('alice waits for its cipher', () => a.calls === 2);
    a.release();
    await fileEvent(bob, 'file_done', offered.id);
    // Without the awaits, the partial file would be opened (and file_accept sent) and the data link
    // dialled in the same turn as the load call, before the test could release the gate.
    expect(log).toEqual([
      'alice load',
      'bob load',
      'bob load',
      'bob ready',
      'bob opens the partial file',
      'alice load',
      'alice ready',
      'alice dial',
    ]);
  });
});
