// A hostile peer for attack tests: a fresh (or chosen) Ed25519 key that completes the REAL secure
// handshake against a real LanchatNode and then speaks the real frame codec, but sends whatever
// the test scripts: a hello with any nick, any message (valid or not), raw bytes. Everything the
// victim sends back is collected in `received`, so a test can assert on what the victim shows
// (its events), routes (what reaches us) and stores (its Store).
//
//   const evil = await HostilePeer.connect(fx, victim, { nick: 'bob\u200b' });
//   evil.send({ t: 'msg', id, ts, text: 'hi', kind: 'text' });
//   await evil.waitFor('the victim acks', (m) => m.t === 'ack');
//   evil.close();
import type { Duplex } from 'node:stream';
import nacl from 'tweetnacl';
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import { secureClient } from '../../src/crypto/secure-handshake.js';
import type { Ed25519KeyPair } from '../../src/crypto/shs-keys.js';
import { MemoryDiscovery } from '../../src/discovery/memory-discovery.js';
import { idOf } from '../../src/identity/ids.js';
import { encodeFrame, FRAME_TYPE_MESSAGE } from '../../src/protocol/frame-codec.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { decodeMessage, PROTOCOL_VERSION, type WireMessage } from '../../src/protocol/messages.js';
import { type NodeFixture, type TestNode, waitFor } from '../core/node-fixture.js';
import { ForgeableDiscovery } from './forgeable-discovery.js';

export interface HostilePeerOptions {
  /** The nick in our hello, sent as-is (no validation on our side). Default 'mallory'. */
  nick?: string;
  /** Replaces or extends fields of the hello (anything JSON, valid or not). */
  hello?: Record<string, unknown>;
  /** Default: a fresh key. Pass a known one to reconnect as the same identity. */
  identity?: Ed25519KeyPair;
  /** Our fake address on the fixture's memory network. Default: a fresh 10.66.0.x. */
  host?: string;
  /** Default: the fixture's default network key (the attacker is on the victim's network). */
  networkKey?: Uint8Array;
  /** Send our hello right after the handshake (default true). */
  sendHello?: boolean;
}

let hostCounter = 0;

export class HostilePeer {
  /** Every message the victim sent us, decoded (pings are answered and kept too). */
  readonly received: WireMessage[] = [];
  readonly id: string;
  private readonly decoder = new FrameDecoder();
  private closedFlag = false;

  private constructor(
    readonly identity: Ed25519KeyPair,
    readonly host: string,
    private readonly session: Duplex,
  ) {
    this.id = idOf(identity.publicKey);
    session.on('data', (chunk: Buffer) => this.onData(chunk));
    session.on('error', () => {});
    session.on('close', () => {
      this.closedFlag = true;
    });
  }

  /** Dials `victim` on the fixture's memory network, runs the client handshake with our key, sends
   * the hello and waits for the victim's (or for the victim to hang up on ours: see `closed`).
   * Rejects when the victim refuses the handshake itself. */
  static async connect(
    fx: NodeFixture,
    victim: TestNode,
    opts: HostilePeerOptions = {},
  ): Promise<HostilePeer> {
    const identity = opts.identity ?? nacl.sign.keyPair();
    const host = opts.host ?? `10.66.0.${++hostCounter}`;
    const { stream } = await fx.network
      .transport(host)
      .dial({ address: victim.host, port: victim.node.port });
    stream.on('error', () => {});
    const session = await secureClient(stream, {
      identity,
      networkKey: opts.networkKey ?? DEFAULT_NETWORK_KEY,
      serverPublicKey: victim.identity.publicKey,
    });
    const peer = new HostilePeer(identity, host, session);
    if (opts.sendHello ?? true) {
      peer.send({
        t: 'hello',
        v: PROTOCOL_VERSION,
        nick: opts.nick ?? 'mallory',
        presence: 'online',
        status: '',
        caps: ['dm', 'rooms', 'ack', 'presence', 'typing', 'read', 'catchup', 'signed-rooms'],
        rooms: [],
        ...opts.hello,
      });
    }
    // A victim that refuses our hello may close before its own hello is out: then `closed` is set
    // and the test asserts on that.
    await waitFor(
      "the victim's hello or its hang-up",
      () => peer.closed || peer.received.some((m) => m.t === 'hello'),
    );
    return peer;
  }

  /** Sends one message frame: `message` is JSON-encoded as given, never validated. */
  send(message: WireMessage | Record<string, unknown>): void {
    this.sendRaw(encodeFrame(FRAME_TYPE_MESSAGE, Buffer.from(JSON.stringify(message), 'utf8')));
  }

  /** Writes bytes into the secure stream as they are (frame headers included or not). */
  sendRaw(bytes: Uint8Array): void {
    if (!this.closedFlag) this.session.write(bytes);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Waits until the victim has sent a message matching `match`, and returns it. */
  waitFor<T extends WireMessage>(what: string, match: (m: WireMessage) => m is T): Promise<T>;
  waitFor(what: string, match: (m: WireMessage) => boolean): Promise<WireMessage>;
  waitFor(what: string, match: (m: WireMessage) => boolean): Promise<WireMessage> {
    return waitFor(what, () => this.received.find(match));
  }

  /** Ends the secure stream (a box-stream goodbye), like a peer that quits. */
  close(): void {
    this.session.end();
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.decoder.push(chunk)) {
      if (frame.type !== FRAME_TYPE_MESSAGE) continue;
      const message = decodeMessage(frame.payload);
      if (!message) continue;
      this.received.push(message);
      if (message.t === 'ping') this.send({ t: 'pong', n: message.n });
    }
  }
}

let victimCounter = 0;

/** Starts a node on the fixture whose discovery an attacker can forge packets into (`mdns`). */
export async function startVictim(
  fx: NodeFixture,
  name: string,
  opts: Parameters<NodeFixture['start']>[1] = {},
): Promise<TestNode & { mdns: ForgeableDiscovery }> {
  const host = opts.host ?? `10.77.0.${++victimCounter}`;
  const mdns = new ForgeableDiscovery(new MemoryDiscovery(fx.bus, { address: host }));
  const node = await fx.start(name, { ...opts, host, discovery: mdns });
  return Object.assign(node, { mdns });
}
