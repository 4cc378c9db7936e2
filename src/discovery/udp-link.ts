// The real link: one multicast-dns instance per (interface, family). multicast-dns alone sends
// only through the default route's interface and, with no default route, fails silently
// (ENETUNREACH swallowed). So each link pins its socket's multicast interface, joins the group on
// that interface only, binds the wildcard address (binding the interface address would receive
// nothing) and shares port 5353 with avahi through SO_REUSEADDR. We never rely on unicast to
// 5353, which only one of the sharing processes would receive.
import { createSocket } from 'node:dgram';
import makeMdns from 'multicast-dns';
import { DiscoveryError } from './discovery-error.js';
import type { LinkFactory, LinkHandlers, MdnsLink } from './mdns-link.js';
import {
  type Endpoint,
  MDNS_IPV4_GROUP,
  MDNS_IPV6_GROUP,
  MDNS_PORT,
  type MdnsPacket,
} from './mdns-packet.js';
import { groupAddressOf, multicastInterfaceOf } from './multicast-address.js';
import type { NetInterface } from './net-interfaces.js';
import { sendOneShotQuery } from './one-shot-socket.js';
import { encodePacket } from './wire-encoder.js';

/**
 * What the kernel may hold for us while our event loop stands still. The default (rmem_default,
 * 208 KiB on Linux: a few hundred small datagrams) overflowed at 9:00 on a floor of 100 on 2
 * cores, where loops stood still for up to 15 s: 44,008 IPv4 and 51,569 IPv6 mDNS datagrams were
 * dropped against 86,905 delivered in one start. Each lost answer is asked for again, and records
 * whose answers were lost go early (POOF, RFC 6762 §10.5). The kernel caps the request at
 * net.core.rmem_max (208 KiB on many systems) and doubles it: 2 MiB here, 416 KiB there.
 */
export const MDNS_RECEIVE_BUFFER = 1024 * 1024;

export interface UdpLinkOptions {
  /** Default 5353; tests on loopback may use another port. */
  port?: number;
}

export function udpLinkFactory(options: UdpLinkOptions = {}): LinkFactory {
  const port = options.port ?? MDNS_PORT;
  return (iface, family, handlers) => openUdpLink(iface, family, handlers, port);
}

function openUdpLink(
  iface: NetInterface,
  family: 4 | 6,
  handlers: LinkHandlers,
  port: number,
): Promise<MdnsLink> {
  const multicastInterface = multicastInterfaceOf(iface, family);
  if (multicastInterface === undefined) {
    return Promise.reject(
      new DiscoveryError('no-such-interface', `${iface.name} has no IPv${family} address`),
    );
  }
  const group = family === 4 ? MDNS_IPV4_GROUP : MDNS_IPV6_GROUP;
  const socket = createSocket({
    type: family === 4 ? 'udp4' : 'udp6',
    reuseAddr: true,
    ipv6Only: family === 6,
  });
  const mdns = makeMdns({
    socket,
    type: family === 4 ? 'udp4' : 'udp6',
    ip: group,
    port,
    interface: multicastInterface,
    bind: family === 4 ? '0.0.0.0' : '::',
    // Other processes on this host (avahi, a second lanchat) must hear us, and we them.
    loopback: true,
    ttl: 255,
  });
  return new Promise((resolve, reject) => {
    let open = false;
    mdns.on('error', (err: Error) => {
      if (open) {
        handlers.onError(err);
        return;
      }
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
      reject(
        new DiscoveryError(
          'bind-failed',
          `cannot bind UDP port ${port} for mDNS on ${iface.name} (${code}); ` +
            'another program may hold it without SO_REUSEADDR, or this user may not bind it',
          { cause: err },
        ),
      );
    });
    mdns.on('warning', (err: Error) => handlers.onWarning(err));
    // Datagrams go to our own decoder (wire-decoder.ts) as bytes. multicast-dns would decode
    // every one with dns-packet first (2.3 times our decoder's CPU on a browse of 100 known
    // answers), so its listener on the socket it was given is replaced. It still binds, joins the
    // group and keeps the membership up.
    socket.removeAllListeners('message');
    socket.on('message', (bytes: Buffer, rinfo: { address: string; port: number }) => {
      handlers.onMessage(bytes, { address: rinfo.address, port: rinfo.port });
    });
    mdns.on('ready', () => {
      open = true;
      try {
        if (socket.getRecvBufferSize() < MDNS_RECEIVE_BUFFER) socket.setRecvBufferSize(MDNS_RECEIVE_BUFFER);
      } catch (err) {
        handlers.onWarning(new Error(`cannot enlarge the receive buffer on ${iface.name}: ${String(err)}`));
      }
      resolve({
        interfaceName: iface.name,
        family,
        send: (packet: MdnsPacket, to?: Endpoint) =>
          new Promise<void>((done) => {
            const dest = to ?? { address: groupAddressOf(iface, family), port };
            try {
              // Our own encoder (name compression, the TC bit), straight to the socket: the link is
              // bound by now, which is all multicast-dns's send would wait for.
              socket.send(encodePacket(packet), dest.port, dest.address, (err: Error | null) => {
                if (err) handlers.onWarning(new Error(`send on ${iface.name} failed: ${err.message}`));
                done();
              });
            } catch (err) {
              handlers.onWarning(err instanceof Error ? err : new Error(String(err)));
              done();
            }
          }),
        sendOneShot: (packet: MdnsPacket) => sendOneShotQuery(iface, family, packet, handlers, port),
        close: () => new Promise<void>((done) => mdns.destroy(() => done())),
      });
    });
  });
}
