// What one captured mDNS datagram is, for scripts/floor-capture.ts: the kinds an office floor's
// start is made of (RFC 6762 §5 queries, §8 probes and announcements, §6 answers, §10.1 goodbyes),
// told apart by their sections alone, as an outsider on the LAN sees them.
// Decoded with dns-packet, not lanchat's own decoder: an independent reading of what went out.
import dnsPacket from 'dns-packet';
import { SERVICE_TYPE } from '../../src/discovery/mdns-names.js';
import { MDNS_PORT } from '../../src/discovery/mdns-packet.js';

export type DatagramKind =
  | 'probe'
  | 'announcement'
  | 'answer to a browse'
  | 'response without PTR'
  | 'goodbye'
  | 'one-shot query'
  | 'browse'
  | 'browse, more known answers'
  | 'other query'
  | 'undecodable';

/** Kinds in the order a start makes them, for printing. */
export const KIND_ORDER: DatagramKind[] = [
  'one-shot query',
  'probe',
  'announcement',
  'browse',
  'browse, more known answers',
  'answer to a browse',
  'other query',
  'response without PTR',
  'goodbye',
  'undecodable',
];

export function datagramKind(bytes: Buffer, fromPort: number): DatagramKind {
  let p: dnsPacket.Packet;
  try {
    p = dnsPacket.decode(bytes);
  } catch {
    return 'undecodable';
  }
  const questions = p.questions ?? [];
  const answers = p.answers ?? [];
  if (p.type === 'query') {
    if ((p.authorities ?? []).length > 0) return 'probe';
    if (fromPort !== MDNS_PORT) return 'one-shot query';
    if (questions.some((q) => q.type === 'PTR' && q.name.toLowerCase() === SERVICE_TYPE)) return 'browse';
    if (questions.length === 0 && answers.length > 0) return 'browse, more known answers';
    return 'other query';
  }
  if (answers.length > 0 && answers.every((a) => 'ttl' in a && a.ttl === 0)) return 'goodbye';
  const hasPtr = answers.some((a) => a.type === 'PTR');
  if (!hasPtr) return 'response without PTR';
  // An announcement carries the whole record set as answers; an answer to a browse carries the
  // PTR and puts SRV, TXT and addresses in the additional section (RFC 6763 §12).
  return answers.some((a) => a.type === 'SRV') ? 'announcement' : 'answer to a browse';
}
