// `lanchat peers` in-process: the temporary node's discovery window (memory discovery) and the
// answer of a running node through its control socket.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controlSocketPath } from '../../src/cli/control-protocol.js';
import { ControlServer } from '../../src/cli/control-server.js';
import { type PeersCommandIo, peersTable, run } from '../../src/cli/peers-command.js';
import type { PeerInfo } from '../../src/core/events.js';
import { databasePathIn } from '../../src/store/sqlite-store.js';
import { eventsOf, NodeFixture, type TestNode, waitFor } from '../core/node-fixture.js';
import { captured } from './captured-io.js';
import { memoryRuntime } from './send-fixture.js';

let fixture: NodeFixture;
let bob: TestNode;
let profile: string;

beforeEach(async () => {
  fixture = new NodeFixture();
  profile = join(fixture.dir, 'carol');
  bob = await fixture.start('bob');
});
afterEach(() => fixture.destroy());

function peers(args: string[], runtime?: PeersCommandIo['createRuntime']) {
  return captured((io: PeersCommandIo) => run(['--profile', profile, '--nick', 'carol', ...args], io), {
    createRuntime: runtime ?? memoryRuntime(fixture),
  });
}

describe('lanchat peers', () => {
  it('lists what a temporary node finds in its window, as JSON, then says goodbye', async () => {
    const r = await peers(['--wait', '0.3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const answer = JSON.parse(r.stdout) as {
      type: string;
      peers: { nick: string; online: boolean; id: string }[];
    };
    expect(answer.type).toBe('peers');
    expect(answer.peers.map((p) => [p.nick, p.online])).toEqual([['bob', true]]);
    await waitFor('carol quit', () => eventsOf(bob, 'peer_offline').some((e) => e.peer.nick === 'carol'));
  });

  it('prints a table for people', async () => {
    const r = await peers(['--wait', '0.3']);
    expect(r.code, r.stderr).toBe(0);
    const [header, row] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NICK\s+ONLINE\s+ADDRESS\s+ID$/);
    expect(row).toMatch(new RegExp(`^bob\\s+yes\\s+10\\.0\\.0\\.1\\s+${bob.node.id}$`));
  });

  it("says 'reconnecting' for a peer in its lost-link grace, and reads an older lanchat's answer", () => {
    const base = {
      display: '',
      address: '10.0.0.9',
      presence: 'online',
      status: '',
      blocked: false,
      verified: false,
    };
    const rows = peersTable([
      { ...base, id: 'B', nick: 'bob', display: 'bob', online: true, connected: false },
      { ...base, id: 'C', nick: 'carol', display: 'carol', online: true, connected: true },
      { ...base, id: 'D', nick: 'dan', display: 'dan', online: false, connected: false },
      // An older running lanchat sends no `connected`: its `online` meant a link.
      { ...base, id: 'E', nick: 'erin', display: 'erin', online: true } as PeerInfo,
    ] as PeerInfo[])
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((row) => row.split(/\s+/).slice(0, 2).join(' '));
    expect(rows).toEqual(['bob reconnecting', 'carol yes', 'erin yes', 'dan no']);
  });

  it('warns on stderr about a network key on the command line and a weak passphrase', async () => {
    await fixture.stop(bob);
    const r = await peers(['--wait', '0', '--network', 'office']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^lanchat peers: warning: the network key is on the command line.*\(ps\)/m);
    expect(r.stderr).toMatch(/^lanchat peers: warning: the network passphrase is weak/m);
    const quiet = await peers(['--wait', '0']);
    expect(quiet.stderr).not.toMatch(/warning/);
  });

  it('says so when nobody is found', async () => {
    await fixture.stop(bob);
    const r = await peers(['--wait', '0']);
    expect(r).toMatchObject({ code: 0, stdout: 'no peers found\n' });
  });

  it('asks the running node instead of starting a second one', async () => {
    mkdirSync(profile, { recursive: true, mode: 0o700 });
    const alice = await fixture.start('alice', { dbPath: databasePathIn(profile) });
    await waitFor('alice sees bob', () => alice.node.peerList().some((p) => p.online));
    const server = new ControlServer({
      node: alice.node,
      outbox: alice.store.outbox,
      socketPath: controlSocketPath(profile),
    });
    await server.listen();
    try {
      const r = await peers(['--json'], () => expect.unreachable('a running node owns the profile'));
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ type: 'peers', peers: [{ nick: 'bob', online: true }] });
    } finally {
      await server.close();
    }
  });

  it.each([
    [['--wait', 'long'], /--wait expects seconds/],
    [['extra'], /unexpected argument 'extra'/],
    [['--to', 'bob'], /unknown option '--to'/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await peers(args, () => expect.unreachable('no node for usage errors'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
