// The client side of the control socket: finds out whether a lanchat already runs on a profile
// and, if so, sends it one request and collects the replies until the final one.
import { lstatSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import {
  CONTROL_VERSION,
  type ControlCommand,
  ControlError,
  type ControlReply,
  encodeLine,
  isFinalReply,
  LineSplitter,
  MAX_REPLY_BYTES,
  parseReply,
} from './control-protocol.js';

export class ControlClient {
  private counter = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly path: string,
  ) {
    socket.on('error', () => {}); // reported through the pending request instead
  }

  /**
   * Connects to the node listening on `path`. Resolves undefined when nothing listens there (no
   * socket, or a stale one left by a crash), which means: no lanchat runs on this profile.
   */
  static async connect(path: string): Promise<ControlClient | undefined> {
    let uid: number;
    try {
      uid = lstatSync(path).uid;
    } catch {
      return undefined;
    }
    // Someone else's socket in our profile would receive our messages: refuse to talk to it.
    const self = process.getuid?.();
    if (self !== undefined && uid !== self) {
      throw new ControlError(
        'not-owner',
        `${path} belongs to uid ${uid}, not to you (uid ${self}); refusing to use it`,
      );
    }
    const socket = await new Promise<Socket | undefined>((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => {
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err: NodeJS.ErrnoException) => {
        s.destroy();
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK') {
          resolve(undefined);
        } else {
          reject(
            new ControlError('connection-lost', `cannot connect to ${path}: ${err.message}`, { cause: err }),
          );
        }
      });
    });
    return socket ? new ControlClient(socket, path) : undefined;
  }

  /** Sends one request; `onReply` sees every reply (progress and final); resolves with the final
   * one. Rejects with ControlError 'connection-lost' when the node goes away first. */
  request(command: ControlCommand, onReply: (reply: ControlReply) => void = () => {}): Promise<ControlReply> {
    const ref = String(++this.counter);
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      const lines = new LineSplitter(MAX_REPLY_BYTES);
      const cleanup = () => {
        socket.off('data', onData);
        socket.off('close', onClose);
      };
      const fail = (err: unknown) => {
        cleanup();
        reject(err);
      };
      const onData = (chunk: Buffer) => {
        try {
          for (const line of lines.push(chunk)) {
            const message = parseReply(line);
            // A reply without our ref is the server refusing the connection as a whole.
            if (message.ref !== undefined && message.ref !== ref) continue;
            onReply(message);
            if (isFinalReply(message)) {
              cleanup();
              resolve(message);
              return;
            }
          }
        } catch (err) {
          fail(err);
        }
      };
      const onClose = () =>
        fail(
          new ControlError('connection-lost', `the lanchat running on ${this.path} closed the connection`),
        );
      socket.on('data', onData);
      socket.on('close', onClose);
      socket.write(encodeLine({ v: CONTROL_VERSION, ref, ...command }));
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}
