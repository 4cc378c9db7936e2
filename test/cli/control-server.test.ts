// The control socket with a real in-process node (memory transport and discovery): requests and
// replies, hostile lines, stale sockets, permissions, and shutdown with sends still pending.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/cli/control-client.js';
import {
  type ControlError,
  type ControlReply,
  controlSocketPath,
  MAX_REQUEST_BYTES,
} from '../../src/cli/control-protocol.js';
import { ControlServer } from '../../src/cli/control-server.js';
import { NodeFixture, type TestNode, waitFor } from '../core/node-fixture.js';

let fixture: NodeFixture;
let alice: TestNode;
let bob: TestNode;
let server: ControlServer;
let profile: string;
const clients: ControlClient[] = [];

beforeEach(async () => {
  fixture = new NodeFixture();
  profile = join(fixture.dir, 'alice-profile');
  mkdirSync(profile, { mode: 0o700 });
  alice = await fixture.start('alice');
  bob = await fixture.start('bob');
  await waitFor('alice sees bob', () => alice.node.peerList().some((p) => p.online));
  server = serverFor(alice);
  await server.listen();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
  await fixture.destroy();
});

function serverFor(t: TestNode): ControlServer {
  return new ControlServer({ node: t.node, outbox: t.store.outbox, socketPath: controlSocketPath(profile) });
}

async function client(): Promise<ControlClient> {
  const c = await ControlClient.connect(controlSocketPath(profile));
  if (!c) throw new Error('no control server');
  clients.push(c);
  return c;
}

/** A raw connection: writes bytes, collects reply lines and notices the close. */
function raw(): Promise<{ socket: Socket; lines: string[]; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(controlSocketPath(profile));
    const lines: string[] = [];
    let buffer = '';
    let isClosed = false;
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts);
    });
    socket.on('close', () => {
      isClosed = true;
    });
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, lines, closed: () => isClosed }));
    socket.once('error', reject);
  });
}

describe('control server', () => {
  it('creates the socket 0600 and removes it on close', async () => {
    const path = controlSocketPath(profile);
    expect(statSync(path).isSocket()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await server.close();
    expect(existsSync(path)).toBe(false);
    expect(await ControlClient.connect(path)).toBeUndefined();
  });

  it('answers peers with the node peer list', async () => {
    const answer = await (await client()).request({ cmd: 'peers' });
    expect(answer).toMatchObject({ v: 1, type: 'peers' });
    if (answer.type !== 'peers') throw new Error('not peers');
    expect(answer.peers.map((p) => [p.nick, p.online])).toEqual([['bob', true]]);
  });

  it('answers diagnose with the node diagnosis', async () => {
    const answer = await (await client()).request({ cmd: 'diagnose' });
    if (answer.type !== 'diagnosis') throw new Error(`not a diagnosis: ${answer.type}`);
    expect(answer.diagnosis.nick).toBe('alice');
    expect(answer.diagnosis.peers.map((p) => [p.nick, p.online, p.clockAhead])).toEqual([
      ['bob', true, false],
    ]);
  });

  it('sends a DM: sent, delivered, done, and the node emits its own sent event', async () => {
    const replies: ControlReply[] = [];
    const final = await (await client()).request(
      { cmd: 'send', to: 'bob', text: 'via the socket', timeoutMs: 5_000 },
      (r) => replies.push(r),
    );
    expect(replies.map((r) => r.type)).toEqual(['sent', 'delivered', 'done']);
    expect(final).toMatchObject({ type: 'done', delivered: [{ nick: 'bob' }] });
    expect(replies[0]).toMatchObject({ type: 'sent', queued: false, to: { nick: 'bob' } });
    expect(alice.events.some((e) => e.type === 'sent' && e.text === 'via the socket')).toBe(true);
    await waitFor('bob got it', () =>
      bob.events.some((e) => e.type === 'message' && e.text === 'via the socket'),
    );
  });

  it('sends to a room and reports every member online at send time', async () => {
    const carol = await fixture.start('carol');
    await waitFor('alice sees carol', () => alice.node.peerList().filter((p) => p.online).length === 2);
    const replies: ControlReply[] = [];
    const final = await (await client()).request(
      { cmd: 'send', room: '#general', text: 'all hands', timeoutMs: 5_000 },
      (r) => replies.push(r),
    );
    expect(final.type).toBe('done');
    if (final.type !== 'done') return;
    expect(final.delivered.map((p) => p.nick).sort()).toEqual(['bob', 'carol']);
    expect(replies.filter((r) => r.type === 'delivered')).toHaveLength(2);
    await waitFor('carol got it', () => carol.events.some((e) => e.type === 'message'));
  });

  it('times out with the message queued when the recipient is known but offline', async () => {
    await fixture.stop(bob);
    await waitFor('bob offline', () => !alice.node.peerList().some((p) => p.online));
    const final = await (await client()).request({ cmd: 'send', to: 'bob', text: 'later', timeoutMs: 200 });
    expect(final).toMatchObject({ type: 'timeout', reason: 'deadline', pending: [{ nick: 'bob' }] });
    if (final.type !== 'timeout') return;
    expect(alice.store.outbox.deliveryState(final.id)).toMatchObject([{ status: 'queued' }]);
  });

  it('waits for an unknown nick to appear, and reports unknown-peer when it does not', async () => {
    const c = await client();
    const pending = c.request({ cmd: 'send', to: 'dave', text: 'hello dave', timeoutMs: 5_000 });
    await fixture.start('dave');
    expect(await pending).toMatchObject({ type: 'done', delivered: [{ nick: 'dave' }] });
    const started = Date.now();
    const missing = await c.request({ cmd: 'send', to: 'nobody', text: 'x', timeoutMs: 300 });
    expect(missing).toMatchObject({ type: 'error', code: 'unknown-peer' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('reports node errors as error replies: not in the room', async () => {
    const answer = await (await client()).request({
      cmd: 'send',
      room: '#secret',
      text: 'x',
      timeoutMs: 100,
    });
    expect(answer).toMatchObject({ type: 'error', code: 'not-in-room' });
  });

  it('answers malformed lines with errors and keeps the connection usable', async () => {
    const r = await raw();
    r.socket.write('this is not json\n{"v":1,"cmd":"launch","ref":"x"}\n{"v":9,"cmd":"peers"}\n');
    r.socket.write(
      '{"v":1,"cmd":"send","to":"bob","text":"","timeoutMs":1}\n\n{"v":1,"cmd":"peers","ref":"ok"}\n',
    );
    await waitFor('five replies', () => r.lines.length >= 5);
    const replies = r.lines.map((l) => JSON.parse(l) as ControlReply);
    expect(replies.map((x) => (x.type === 'error' ? x.code : x.type))).toEqual([
      'bad-json',
      'unknown-command',
      'unsupported-version',
      'bad-request',
      'peers',
    ]);
    expect(replies[1]?.ref).toBe('x');
    expect(replies[4]?.ref).toBe('ok');
    expect(r.closed()).toBe(false);
    r.socket.destroy();
  });

  it('hangs up on an over-long line or invalid UTF-8, and the node keeps serving', async () => {
    const long = await raw();
    long.socket.write(Buffer.alloc(MAX_REQUEST_BYTES + 10, 0x61));
    await waitFor('closed after line-too-long', () => long.closed());
    expect(JSON.parse(long.lines[0] ?? '{}')).toMatchObject({ type: 'error', code: 'line-too-long' });

    const binary = await raw();
    binary.socket.write(Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x0a]));
    await waitFor('closed after bad-encoding', () => binary.closed());
    expect(JSON.parse(binary.lines[0] ?? '{}')).toMatchObject({ code: 'bad-encoding' });

    // Abrupt disconnect in the middle of a pending send: no crash, the message is still sent.
    const quitter = await raw();
    quitter.socket.write('{"v":1,"cmd":"send","to":"bob","text":"fire and forget","timeoutMs":5000}\n');
    quitter.socket.destroy();
    await waitFor('bob got it', () =>
      bob.events.some((e) => e.type === 'message' && e.text === 'fire and forget'),
    );
    expect((await (await client()).request({ cmd: 'peers' })).type).toBe('peers');
  });

  it('ends pending sends with timeout (stopping) when it closes', async () => {
    await fixture.stop(bob);
    await waitFor('bob offline', () => !alice.node.peerList().some((p) => p.online));
    const pending = (await client()).request({ cmd: 'send', to: 'bob', text: 'x', timeoutMs: 60_000 });
    await waitFor('sent', () => alice.events.some((e) => e.type === 'sent'));
    await server.close();
    expect(await pending).toMatchObject({ type: 'timeout', reason: 'stopping' });
  });
});

describe('control socket file', () => {
  it('replaces a stale socket left by a crashed process', async () => {
    await server.close();
    const path = controlSocketPath(profile);
    // process.exit skips libuv's unlink on close: exactly what a crash leaves behind.
    execFileSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`,
    ]);
    expect(statSync(path).isSocket()).toBe(true);
    expect(await ControlClient.connect(path)).toBeUndefined(); // refused: stale
    server = serverFor(alice);
    await server.listen();
    expect((await (await client()).request({ cmd: 'peers' })).type).toBe('peers');
  });

  it('refuses to replace a socket something still listens on, or a file that is not a socket', async () => {
    const path = controlSocketPath(profile);
    const second = serverFor(alice);
    await expect(second.listen()).rejects.toMatchObject({ code: 'in-use' });
    await second.close(); // must not remove the socket of the server that owns it
    expect((await (await client()).request({ cmd: 'peers' })).type).toBe('peers');
    await server.close();

    writeFileSync(path, 'precious');
    server = serverFor(alice);
    await expect(server.listen()).rejects.toMatchObject({ code: 'not-a-socket' });
    expect(statSync(path).isFile()).toBe(true);
  });

  it('refuses a socket owned by another user (client side)', async () => {
    if (process.getuid?.() !== 0) return; // only root can create a file owned by someone else
    await server.close();
    const path = controlSocketPath(profile);
    const foreign: Server = createServer();
    await new Promise<void>((resolve) => foreign.listen(path, resolve));
    execFileSync('chown', ['65534', path]);
    await expect(ControlClient.connect(path)).rejects.toMatchObject({
      code: 'not-owner',
    } satisfies Partial<ControlError>);
    await new Promise<void>((resolve) => foreign.close(() => resolve()));
  });

  it('gives a clear error for a socket path beyond the Unix limit', async () => {
    const long = new ControlServer({
      node: alice.node,
      outbox: alice.store.outbox,
      socketPath: `/tmp/${'x'.repeat(120)}/control.sock`,
    });
    await expect(long.listen()).rejects.toMatchObject({ code: 'path-too-long' });
  });
});
