// The DNS message format's numbers that wire-encoder.ts writes and wire-decoder.ts reads
// (RFC 1035 §4.1, with RFC 6762's reuse of the class's top bit).
export const HEADER_BYTES = 12;
export const FLAG_QR = 0x8000;
export const FLAG_AA = 0x0400;
export const FLAG_TC = 0x0200;
export const CLASS_IN = 1;
export const CLASS_ANY = 255;
/** QU (§5.4) on a question, cache-flush (§10.2) on a record: the class's top bit. */
export const TOP_BIT = 0x8000;
/** RFC 6762 §17: a packet may be up to 9000 bytes on jumbo-frame links; bigger ones are junk. */
export const MAX_PACKET_BYTES = 9000;
