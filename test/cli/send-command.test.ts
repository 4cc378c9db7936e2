// `lanchat send` in-process: exit statuses 0 / 75 / 1 / 2, with the temporary node on memory
// transport and discovery, and the hand-over to a running node through its control socket.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { controlSocketPath } from '../../src/cli/control-protocol.js';
import { ControlServer } from '../../src/cli/control-server.js';
import { EXIT_QUEUED, run, type SendCommandIo } from '../../src/cli/send-command.js';
import { openIdentity } from '../../src/identity/identity-store.js';
import { idOf } from '../../src/identity/ids.js';
import { databasePathIn, openSqliteStore } from '../../src/store/sqlite-store.js';
import { eventsOf, NodeFixture, type TestNode, waitFor } from '../core/node-fixture.js';
import { type Captured, captured } from './captured-io.js';
import { memoryRuntime } from './send-fixture.js';

let fixture: NodeFixture;
let bob: TestNode;
let profile: string;
let counter = 0;

beforeEach(async () => {
  fixture = new NodeFixture();
  profile = join(fixture.dir, `carol-${++counter}`);
  bob = await fixture.start('bob');
});
afterEach(() => fixture.destroy());

type Run = Captured;

function send(
  args: string[],
  options: { stdin?: string; runtime?: SendCommandIo['createRuntime'] } = {},
): Promise<Run> {
  return captured((io: SendCommandIo) => run(['--profile', profile, '--nick', 'carol', ...args], io), {
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    createRuntime: options.runtime ?? memoryRuntime(fixture),
  });
}

const json = (r: Run) => JSON.parse(r.stdout) as Record<string, unknown>;

describe('lanchat send with a temporary node', () => {
  it('delivers a DM and exits 0; the temporary node says goodbye', async () => {
    const r = await send(['--to', 'bob', '--json', 'hello', 'from', 'carol']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({
      type: 'send',
      status: 'delivered',
      to: { nick: 'bob' },
      delivered: [{ nick: 'bob' }],
      pending: [],
      via: 'temporary-node',
    });
    expect(eventsOf(bob, 'message').map((m) => m.text)).toEqual(['hello from carol']);
    await waitFor('carol quit', () =>
      eventsOf(bob, 'peer_offline').some((e) => e.peer.nick === 'carol' && e.reason === 'quit'),
    );
  });

  it('reads the text from stdin, dropping one trailing newline', async () => {
    const r = await send(['--to', 'bob'], { stdin: '多行\nmessage 👋\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('delivered to bob\n');
    expect(eventsOf(bob, 'message').map((m) => m.text)).toEqual(['多行\nmessage 👋']);
  });

  it('waits for a nick that is not online yet', async () => {
    const runtime = memoryRuntime(fixture);
    const pending = send(['--to', 'dave', '--timeout', '5', 'are you there?'], { runtime });
    await waitFor('the temporary node started', () => runtime.created === 1);
    const dave = await fixture.start('dave');
    const r = await pending;
    expect(r.code, r.stderr).toBe(0);
    expect(eventsOf(dave, 'message').map((m) => m.text)).toEqual(['are you there?']);
  });

  it('sends to a room and reports its online members', async () => {
    const r = await send(['--room', 'general', '--json', 'hi all']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ status: 'delivered', room: '#general', delivered: [{ nick: 'bob' }] });
    expect(eventsOf(bob, 'message')[0]).toMatchObject({ room: '#general', text: 'hi all' });
  });

  it('queues a DM to a known but offline nick: exit 75, and the next run on the profile delivers it', async () => {
    expect((await send(['--to', 'bob', 'first'])).code).toBe(0); // pins bob in carol's contacts
    const bobIdentity = bob.identity;
    const bobDb = bob.dbPath;
    await fixture.stop(bob);
    const r = await send(['--to', 'bob', '--timeout', '0.3', '--json', 'while you were out']);
    expect(r.code, r.stderr).toBe(EXIT_QUEUED);
    expect(json(r)).toMatchObject({ status: 'queued', pending: [{ nick: 'bob' }], delivered: [] });
    const store = openSqliteStore({ path: databasePathIn(profile) });
    expect(store.outbox.pendingFor(idOf(bobIdentity.publicKey)).map((m) => m.text)).toEqual([
      'while you were out',
    ]);
    store.close();

    // Bob comes back; the next lanchat run on carol's profile (here: another send) drains the outbox.
    bob = await fixture.start('bob', { identity: bobIdentity, dbPath: bobDb });
    expect((await send(['--to', 'bob', 'and one more'])).code).toBe(0);
    await waitFor('both arrive in order', () => eventsOf(bob, 'message').length === 2);
    expect(eventsOf(bob, 'message').map((m) => m.text)).toEqual(['while you were out', 'and one more']);
  });

  it('human output for a queued message says where it stays', async () => {
    expect((await send(['--to', 'bob', 'first'])).code).toBe(0);
    await fixture.stop(bob);
    const r = await send(['--to', 'bob', '--timeout', '0', 'x']);
    expect(r.code).toBe(EXIT_QUEUED);
    expect(r.stdout).toContain(
      `queued for bob: not delivered within 0 s; it stays in the outbox of ${profile}`,
    );
  });
});

describe('lanchat send errors', () => {
  it.each([
    [[], /exactly one of --to NICK and --room/],
    [['--to', 'bob', '--room', '#general', 'x'], /exactly one of/],
    [['--to', '', 'x'], /--to must not be empty/],
    [['--to', 'bob', '--timeout', 'soon', 'x'], /--timeout expects seconds/],
    [['--to', 'bob', '--timeout', '-1', 'x'], /option '--timeout' argument is ambiguous|--timeout expects/],
    [['--to', 'bob', '--tiemout', '3', 'x'], /did you mean --timeout/],
    [['--to', 'bob', '--headless', 'x'], /unknown option '--headless'/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await send(args as string[], { runtime: () => expect.unreachable('no node for usage errors') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    [['--to', 'bob'], '', /the message is empty/],
    [['--to', 'bob'], '  \n', /the message is empty/],
    [['--to', 'bob'], 'x'.repeat(16 * 1024 + 3), /longer than 16 KiB/],
    [['--to', 'bob', 'x'.repeat(16 * 1024 + 1)], undefined, /longer than 16 KiB/],
    [['--room', '#no spaces', 'x'], undefined, /--room #no spaces: a room name has letters/],
    [['--to', 'bo\u0007b', 'x'], undefined, /control characters/],
  ])('%j with stdin %j is an error (exit 1) before any node starts', async (args, stdin, message) => {
    const r = await send(args as string[], {
      ...(stdin === undefined ? {} : { stdin }),
      runtime: () => expect.unreachable('no node for invalid input'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('an unknown nick exits 1 after giving it the timeout to appear', async () => {
    const started = Date.now();
    const r = await send(['--to', 'nobody', '--timeout', '0.5', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nobody called nobody is known or appeared within 0.5 s/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('a room this profile is not in exits 1', async () => {
    const r = await send(['--room', '#secret', '--json', 'x']);
    expect(r.code).toBe(1);
    expect(json(r)).toMatchObject({ type: 'error', code: 'not-in-room' });
  });

  it('a damaged database exits 1 with the store message, and is left alone', async () => {
    await openIdentity(profile);
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(databasePathIn(profile), 'not a database at all, but somebody’s file'.repeat(200));
    const r = await send(['--to', 'bob', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/damaged or is not a lanchat database/);
    expect(readFileSync(databasePathIn(profile), 'utf8')).toMatch(/^not a database/);
  });

  it('a profile held by a node without a control socket exits 1 after the timeout', async () => {
    mkdirSync(profile, { recursive: true, mode: 0o700 });
    const holder = openSqliteStore({ path: databasePathIn(profile) });
    try {
      const r = await send(['--to', 'bob', '--timeout', '0.2', 'x']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/another lanchat holds this profile .* but does not answer/);
    } finally {
      holder.close();
    }
  }, 20_000);
});

describe('lanchat send through a running node', () => {
  let alice: TestNode;
  let server: ControlServer;

  beforeEach(async () => {
    mkdirSync(profile, { recursive: true, mode: 0o700 });
    alice = await fixture.start('alice', { dbPath: databasePathIn(profile) });
    await waitFor('alice sees bob', () => alice.node.peerList().some((p) => p.online));
    server = new ControlServer({
      node: alice.node,
      outbox: alice.store.outbox,
      socketPath: controlSocketPath(profile),
    });
    await server.listen();
  });
  afterEach(() => server.close());

  it('hands the message to it (no second node) and exits 0 when delivered', async () => {
    const r = await send(['--to', 'bob', '--json', 'through the socket'], {
      runtime: () => expect.unreachable('a running node owns the profile'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ status: 'delivered', via: 'running-node', to: { nick: 'bob' } });
    expect(eventsOf(alice, 'sent').map((e) => e.text)).toEqual(['through the socket']);
    expect(eventsOf(bob, 'message')[0]).toMatchObject({
      from: { nick: 'alice' },
      text: 'through the socket',
    });
  });

  it('exits 75 when the running node cannot deliver in time, 1 for its errors', async () => {
    await fixture.stop(bob);
    await waitFor('bob offline', () => !alice.node.peerList().some((p) => p.online));
    const queued = await send(['--to', 'bob', '--timeout', '0.2', 'x']);
    expect(queued.code).toBe(EXIT_QUEUED);
    expect(queued.stdout).toMatch(/keeps it in its outbox/);
    const unknown = await send(['--to', 'zed', '--timeout', '0.2', 'x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/nobody called zed/);
  });
});
