// lanchat's own view of an mDNS packet: only the record types DNS-SD needs, fully validated.
// Packets from the wire are decoded into this shape by wire-decoder.ts, which checks every field,
// so the responder and querier never touch untrusted bytes.

export interface SrvData {
  target: string;
  port: number;
  priority: number;
  weight: number;
}

interface RecordBase {
  /** Presentation name as dns-packet gives it (labels joined by '.'); compare case-insensitively. */
  name: string;
  /** Seconds. */
  ttl: number;
  /** RFC 6762 §10.2 cache-flush bit: this is the whole rrset, older copies are stale. */
  flush: boolean;
}

export type MdnsRecord = RecordBase &
  (
    | { type: 'A'; data: string }
    | { type: 'AAAA'; data: string }
    | { type: 'PTR'; data: string }
    | { type: 'SRV'; data: SrvData }
    | { type: 'TXT'; data: Uint8Array[] }
    /** Any other type: kept only because any record on a name we probe is a conflict (§8.1). */
    | { type: 'OTHER'; data: { rrtype: string } }
  );

export type MdnsRecordType = MdnsRecord['type'];

export interface MdnsQuestion {
  name: string;
  /** 'ANY' matches every type (probes use it, §8.1). Other unknown types are kept by name. */
  type: string;
  /** The QU bit (§5.4). dns-packet reports it as class UNKNOWN_32769; we answer QU like QM
   * because unicast to port 5353 may reach avahi instead of the querier. */
  unicastResponse: boolean;
}

export interface MdnsPacket {
  kind: 'query' | 'response';
  id: number;
  /** TC bit: more known answers follow in another packet (§7.2). */
  truncated: boolean;
  questions: MdnsQuestion[];
  answers: MdnsRecord[];
  authorities: MdnsRecord[];
  additionals: MdnsRecord[];
}

export interface Endpoint {
  address: string;
  port: number;
}

export const MDNS_PORT = 5353;
export const MDNS_IPV4_GROUP = '224.0.0.251';
export const MDNS_IPV6_GROUP = 'ff02::fb';

export function emptyPacket(kind: MdnsPacket['kind']): MdnsPacket {
  return { kind, id: 0, truncated: false, questions: [], answers: [], authorities: [], additionals: [] };
}
