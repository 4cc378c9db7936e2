// A one-shot mDNS query (RFC 6762 §5.1) from a fresh ephemeral UDP port on one interface. Every
// responder answers such a query at once and by unicast to that port (§6.7, "legacy unicast"),
// where the answers to our continuous browse come after 20–120 ms by multicast, which every host
// on the LAN must then process. A newcomer asks this way first, so it has its peers within a few
// milliseconds without making the whole LAN work; its regular browse follows as the RFC says.
// Unicast to 5353 would not do: the port may be shared with avahi, and only one of the sharing
// sockets gets a unicast datagram.
import { createSocket, type Socket } from 'node:dgram';
import { type LinkHandlers, ONE_SHOT_LISTEN_MS } from './mdns-link.js';
import { MDNS_PORT, type MdnsPacket } from './mdns-packet.js';
import { groupAddressOf, multicastInterfaceOf } from './multicast-address.js';
import type { NetInterface } from './net-interfaces.js';
import { encodePacket } from './wire-encoder.js';

export function sendOneShotQuery(
  iface: NetInterface,
  family: 4 | 6,
  packet: MdnsPacket,
  handlers: LinkHandlers,
  port = MDNS_PORT,
): Promise<void> {
  const multicastInterface = multicastInterfaceOf(iface, family);
  if (multicastInterface === undefined) return Promise.resolve();
  const socket: Socket = createSocket({ type: family === 4 ? 'udp4' : 'udp6', ipv6Only: family === 6 });
  const close = () => {
    try {
      socket.close();
    } catch {
      // already closed
    }
  };
  socket.on('error', (err) => {
    handlers.onWarning(new Error(`one-shot query on ${iface.name}: ${err.message}`));
    close();
  });
  socket.on('message', (bytes, rinfo) => {
    handlers.onMessage(bytes, { address: rinfo.address, port: rinfo.port });
  });
  return new Promise<void>((done) => {
    // IPv4: bound to the interface's address, so that the query leaves with an on-link source
    // (responders ignore others, §11) and the answers come back to this socket.
    socket.bind({ port: 0, address: family === 4 ? multicastInterface : '::' }, () => {
      try {
        socket.setMulticastInterface(multicastInterface);
        socket.setMulticastTTL(255);
      } catch (err) {
        handlers.onWarning(err instanceof Error ? err : new Error(String(err)));
        close();
        done();
        return;
      }
      const group = groupAddressOf(iface, family);
      socket.send(encodePacket(packet), port, group, (err) => {
        if (err) handlers.onWarning(new Error(`one-shot query on ${iface.name} failed: ${err.message}`));
        done();
      });
      setTimeout(close, ONE_SHOT_LISTEN_MS).unref();
    });
  });
}
