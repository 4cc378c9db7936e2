// `lanchat doctor`'s multicast check on one interface, needing no second host: a socket on the
// mDNS port joins the group on that interface with IP_MULTICAST_LOOP on, sends one PTR query for
// `_lanchat._tcp.local`, and listens. Our own query coming back proves that the kernel let it out
// and back in (a firewall rule dropping UDP 5353 on output or input, a missing multicast route or
// a down link all stop it); the answers that arrive meanwhile tell which mDNS responders and how
// many lanchat instances are heard there. Only the interface under test is sent on.
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { SERVICE_TYPE } from './mdns-names.js';
import { MDNS_IPV4_GROUP, MDNS_IPV6_GROUP, MDNS_PORT, type MdnsPacket } from './mdns-packet.js';
import { groupAddressOf, multicastInterfaceOf } from './multicast-address.js';
import type { NetInterface } from './net-interfaces.js';
import { decodePacket } from './wire-decoder.js';
import { encodePacket } from './wire-encoder.js';

/** How long to listen for our own query and for answers (responders wait 20–120 ms, §6). */
export const SELF_TEST_LISTEN_MS = 1_500;
/** Bound on what a hostile or busy LAN can make us remember. */
const MAX_INSTANCES = 256;
const MAX_RESPONDERS = 256;

export interface SelfTestResult {
  iface: string;
  family: 4 | 6;
  /** The query left the socket without an error. */
  sent: boolean;
  /** Our own query was received back through the group. */
  looped: boolean;
  /** Why the socket could not be opened or the query sent, if so. */
  error?: string;
  /** `_lanchat._tcp.local` instance names heard in answers (unauthenticated, sanitize to show). */
  instances: string[];
  /** Source addresses of the mDNS responses heard (any responder: avahi, Bonjour, lanchat). */
  responders: string[];
}

export interface SelfTestOptions {
  listenMs?: number;
  /** Tests on loopback may use another port. */
  port?: number;
}

export async function multicastSelfTest(
  iface: NetInterface,
  family: 4 | 6,
  options: SelfTestOptions = {},
): Promise<SelfTestResult> {
  const result: SelfTestResult = {
    iface: iface.name,
    family,
    sent: false,
    looped: false,
    instances: [],
    responders: [],
  };
  const multicastInterface = multicastInterfaceOf(iface, family);
  if (multicastInterface === undefined) {
    result.error = `no IPv${family} address`;
    return result;
  }
  const port = options.port ?? MDNS_PORT;
  const socket = createSocket({
    type: family === 4 ? 'udp4' : 'udp6',
    reuseAddr: true,
    ipv6Only: family === 6,
  });
  const query = queryBytes();
  const instances = new Set<string>();
  const responders = new Set<string>();
  socket.on('message', (bytes, rinfo) => {
    if (bytes.equals(query)) {
      result.looped = true;
      return;
    }
    const packet = decode(bytes);
    if (packet?.kind !== 'response') return;
    if (responders.size < MAX_RESPONDERS) responders.add(rinfo.address);
    for (const r of [...packet.answers, ...packet.additionals]) {
      if (r.type === 'PTR' && r.name.toLowerCase() === SERVICE_TYPE && instances.size < MAX_INSTANCES) {
        instances.add(r.data);
      }
    }
  });
  try {
    await bindAndJoin(socket, family, port, multicastInterface);
    await new Promise<void>((resolve, reject) =>
      socket.send(query, port, groupAddressOf(iface, family), (err) => (err ? reject(err) : resolve())),
    );
    result.sent = true;
    await new Promise((resolve) => setTimeout(resolve, options.listenMs ?? SELF_TEST_LISTEN_MS));
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    try {
      socket.close();
    } catch {
      // already closed
    }
  }
  result.instances = [...instances].sort();
  result.responders = [...responders].sort();
  return result;
}

function bindAndJoin(socket: Socket, family: 4 | 6, port: number, multicastInterface: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address: family === 4 ? '0.0.0.0' : '::' }, () => {
      try {
        socket.addMembership(family === 4 ? MDNS_IPV4_GROUP : MDNS_IPV6_GROUP, multicastInterface);
        socket.setMulticastInterface(multicastInterface);
        socket.setMulticastLoopback(true);
        socket.setMulticastTTL(255);
        socket.off('error', reject);
        socket.on('error', () => {}); // later errors surface as a failed send or no loopback
        resolve();
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** A PTR query with a random id, so that our own copy is told apart from anybody else's query. */
function queryBytes(): Buffer {
  const packet: MdnsPacket = {
    kind: 'query',
    id: randomBytes(2).readUInt16BE(0) | 1,
    truncated: false,
    questions: [{ name: SERVICE_TYPE, type: 'PTR', unicastResponse: false }],
    answers: [],
    authorities: [],
    additionals: [],
  };
  return encodePacket(packet);
}

/** A malformed packet from the LAN is simply not counted. */
function decode(bytes: Buffer): MdnsPacket | undefined {
  const decoded = decodePacket(bytes);
  return decoded.ok ? decoded.packet : undefined;
}
