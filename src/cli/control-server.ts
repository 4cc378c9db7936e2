// The running node's control socket, `<profile>/control.sock`: `lanchat send` and `lanchat peers`
// hand their work to the node that already owns the profile instead of starting a second node
// with the same identity. Any UI that runs a LanchatNode (headless now, the terminal UI later)
// starts one of these next to it.
//
// Who may connect: the socket is created 0600 (under umask 0177, then chmod) inside the 0700
// profile directory, so only the profile's owner can reach it. Node cannot read SO_PEERCRED, so
// those two modes are the check. Everything a client writes is still treated as hostile: bounded
// lines, validated requests, and a bad client loses its own connection, never the node.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { LanchatNode } from '../core/node.js';
import {
  ControlError,
  type ControlRequest,
  encodeLine,
  LineSplitter,
  MAX_REQUEST_BYTES,
  parseRequest,
  type ReplyBody,
  reply,
} from './control-protocol.js';
import { trackFileSend } from './file-send-tracker.js';
import { type SendTrackerDeps, trackSend } from './send-tracker.js';

/** Local clients are few (a script, a UI); more connections than this is a runaway loop. */
const MAX_CONNECTIONS = 32;
/** Requests one connection may have in progress (each send waits up to its timeout). */
const MAX_PENDING_PER_CONNECTION = 16;
/** sun_path is 108 bytes on Linux (104 on macOS), including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;
/** How long a stale-socket probe may take before we assume someone is there. */
const PROBE_TIMEOUT_MS = 1_000;

export interface ControlServerOptions extends SendTrackerDeps {
  node: LanchatNode;
  socketPath: string;
}

export class ControlServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: ControlServerOptions) {}

  get path(): string {
    return this.options.socketPath;
  }

  /**
   * Starts listening. Call it only while holding the profile's store lock: a socket file left by
   * a crashed node is then known to be stale and is replaced (but never a file that is not a
   * socket, and never a socket something still answers on).
   */
  async listen(): Promise<void> {
    const path = this.options.socketPath;
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
      throw new ControlError(
        'path-too-long',
        `the control socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes, the limit for ` +
          'Unix sockets; use a shorter --profile directory',
      );
    }
    try {
      this.server = await listenPrivately(path, (socket) => this.accept(socket));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw listenError(path, err);
      await removeStaleSocket(path);
      try {
        this.server = await listenPrivately(path, (socket) => this.accept(socket));
      } catch (again) {
        throw listenError(path, again);
      }
    }
  }

  /** Stops accepting, ends pending sends with `timeout` (reason 'stopping': the messages stay in
   * the outbox), closes every connection and removes the socket file. Idempotent. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight]);
    for (const socket of this.sockets) socket.end();
    for (const socket of this.sockets) socket.destroy();
    if (!server) return; // never listened: the file there, if any, is not ours to remove
    await new Promise<void>((resolve) => server.close(() => resolve()));
    try {
      unlinkSync(this.options.socketPath); // libuv usually has; a leftover would look stale later
    } catch {}
  }

  private accept(socket: Socket): void {
    if (this.sockets.size >= MAX_CONNECTIONS || this.stopping.signal.aborted) {
      socket.on('error', () => socket.destroy());
      socket.end(
        encodeLine(reply({ type: 'error', code: 'too-busy', message: 'too many clients' }, undefined)),
      );
      return;
    }
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy()); // EPIPE from a client that left: its business
    const lines = new LineSplitter(MAX_REQUEST_BYTES);
    let pending = 0;
    socket.on('data', (chunk: Buffer) => {
      let received: string[];
      try {
        received = lines.push(chunk);
      } catch (err) {
        // No way to find the next request boundary we can trust: answer once and hang up.
        const code = err instanceof ControlError ? err.code : 'bad-request';
        const message = err instanceof Error ? err.message : String(err);
        socket.end(encodeLine(reply({ type: 'error', code, message }, undefined)));
        socket.removeAllListeners('data');
        return;
      }
      for (const line of received) {
        if (line.trim() === '') continue;
        const parsed = parseRequest(line);
        if (!parsed.ok) {
          write(socket, { type: 'error', code: parsed.code, message: parsed.message }, parsed.ref);
          continue;
        }
        if (pending >= MAX_PENDING_PER_CONNECTION) {
          const message = `at most ${MAX_PENDING_PER_CONNECTION} requests at a time per connection`;
          write(socket, { type: 'error', code: 'too-busy', message }, parsed.request.ref);
          continue;
        }
        pending++;
        const job = this.handle(parsed.request, (body) => write(socket, body, parsed.request.ref)).finally(
          () => {
            pending--;
            this.inFlight.delete(job);
          },
        );
        this.inFlight.add(job);
      }
    });
  }

  private async handle(request: ControlRequest, send: (body: ReplyBody) => void): Promise<void> {
    try {
      if (request.cmd === 'peers') {
        const node = this.options.node;
        send({ type: 'peers', peers: node.peerList(), remembered: node.rememberedPeers() });
        return;
      }
      if (request.cmd === 'diagnose') {
        send({ type: 'diagnosis', diagnosis: this.options.node.diagnose() });
        return;
      }
      if (request.cmd === 'send-file') {
        const { to, path, timeoutMs } = request;
        send(
          await trackFileSend(this.options.node, { to, path, timeoutMs, signal: this.stopping.signal }, send),
        );
        return;
      }
      const target = 'to' in request ? { to: request.to } : { room: request.room };
      const outcome = await trackSend(
        this.options,
        { target, text: request.text, timeoutMs: request.timeoutMs, signal: this.stopping.signal },
        send,
      );
      send(outcome);
    } catch (err) {
      const code =
        err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'failed';
      send({ type: 'error', code, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

function write(socket: Socket, body: ReplyBody, ref: string | undefined): void {
  if (!socket.destroyed && socket.writable) socket.write(encodeLine(reply(body, ref)));
}

/** Binds under umask 0177 so the socket never exists with looser permissions, even for the
 * moment before the chmod. Node binds synchronously inside listen(), so the umask covers it. */
function listenPrivately(path: string, onConnection: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(onConnection);
    server.once('error', reject);
    let previous: number | undefined;
    try {
      previous = process.umask(0o177);
    } catch {
      // Worker threads cannot change the umask; the chmod below and the 0700 directory remain.
    }
    try {
      server.listen(path, () => {
        server.off('error', reject);
        try {
          chmodSync(path, 0o600);
        } catch (err) {
          server.close();
          reject(err);
          return;
        }
        resolve(server);
      });
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
}

async function removeStaleSocket(path: string): Promise<void> {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // gone meanwhile
  }
  if (!isSocket) {
    throw new ControlError(
      'not-a-socket',
      `${path} exists and is not a socket; lanchat did not touch it. Move it away so the control socket can be created.`,
    );
  }
  if (await answers(path)) {
    throw new ControlError(
      'in-use',
      `another process is listening on ${path} although this lanchat holds the profile's database; ` +
        'stop it, or use a different --profile',
    );
  }
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw listenError(path, err);
  }
}

/** True when something accepts connections on `path`; refused or missing means stale. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    const done = (result: boolean) => {
      clearTimeout(timer);
      probe.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(true), PROBE_TIMEOUT_MS);
    probe.once('connect', () => done(true));
    probe.once('error', (err: NodeJS.ErrnoException) =>
      done(!(err.code === 'ECONNREFUSED' || err.code === 'ENOENT')),
    );
  });
}

function listenError(path: string, err: unknown): ControlError {
  if (err instanceof ControlError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new ControlError(
    'listen-failed',
    `cannot create the control socket ${path} (${reason}); lanchat send and lanchat peers will not ` +
      'reach this node. Check that the profile directory is yours and writable.',
    { cause: err },
  );
}
