import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeFixture, type TestNode } from '../node-fixture.js';
import { fileEvent, linked, writeRandomFile } from './transfer-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

async function pair(): Promise<[TestNode, TestNode]> {
  const alice = await fx.start('alice');
  const bob = await fx.start('bob');
  await linked(alice, bob);
  return [alice, bob];
}

describe('file transfer between two nodes', () => {
  it('delivers the exact bytes under the offered name', async () => {
    const [alice, bob] = await pair();
    const source = join(fx.dir, 'photo.jpg');
    const data = writeRandomFile(source, 3 * 1024 * 1024 + 17);
    const offered = await alice.node.sendFile('bob', source);
    const offer = await fileEvent(bob, 'file_offer', offered.id);
    expect(offer).toMatchObject({ name: 'photo.jpg', size: data.length, sha256: offered.sha256 });
    const inbox = join(fx.dir, 'inbox');
    await bob.node.acceptFile(offered.id, inbox);
    const done = await fileEvent(bob, 'file_done', offered.id);
    expect(done.path).toBe(join(inbox, 'photo.jpg'));
    expect(readFileSync(done.path).equals(data)).toBe(true);
    await fileEvent(alice, 'file_done', offered.id);
    expect(readdirSync(inbox)).toEqual(['photo.jpg']);
    expect(bob.node.transferList()[0]).toMatchObject({ id: offered.id, state: 'done', bytes: data.length });
  });
});
