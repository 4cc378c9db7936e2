// One mDNS "link": a socket speaking to one interface in one address family (RFC 6762 §15).
// The engine only sees this interface, so tests replace the UDP sockets with an in-memory wire
// that still carries real encoded DNS packets.
import type { Endpoint, MdnsPacket } from './mdns-packet.js';
import type { NetInterface } from './net-interfaces.js';

export interface LinkHandlers {
  /** A datagram as it arrived (untrusted: wire-decoder.ts reads it). */
  onMessage(bytes: Uint8Array, from: Endpoint): void;
  /** Non-fatal trouble: a failed send, a socket warning. */
  onWarning(error: Error): void;
  /** Fatal trouble on an open link (the socket died). */
  onError(error: Error): void;
}

/** How long a one-shot query's socket stays open for answers. Long, for a floor that starts at
 * once: a loaded host answered one-shot queries up to 27 s late in a capture of 100 nodes started
 * together, and an answer that finds the socket closed is lost work that the asker then makes up
 * with questions whose answers are multicast (every host processes those). */
export const ONE_SHOT_LISTEN_MS = 15_000;

export interface MdnsLink {
  readonly interfaceName: string;
  readonly family: 4 | 6;
  /** Multicast to the group on this interface, or unicast to `to` (legacy replies, §6.7).
   * Resolves when the datagram has been handed to the kernel (or failed, reported as warning). */
  send(packet: MdnsPacket, to?: Endpoint): Promise<void>;
  /** Sends `packet` as a one-shot query (RFC 6762 §5.1) from a fresh ephemeral port on this
   * interface: responders answer it at once, by unicast to that port (§6.7), and only we hear the
   * answers. Those arrive through onMessage like any packet, for a few seconds. */
  sendOneShot(packet: MdnsPacket): Promise<void>;
  close(): Promise<void>;
}

/** Opens a link; rejects with a DiscoveryError('bind-failed') when the socket cannot be bound. */
export type LinkFactory = (iface: NetInterface, family: 4 | 6, handlers: LinkHandlers) => Promise<MdnsLink>;

export function linkId(interfaceName: string, family: 4 | 6): string {
  return `${interfaceName}/v${family}`;
}
