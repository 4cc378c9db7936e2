// dns-packet's record-type table (dns-packet/types.js) has no typings of its own. Only what
// lanchat uses is declared: the name → number direction, for echoing questions (wire-encoder.ts).
declare module 'dns-packet/types.js' {
  /** The type number for a name such as 'HINFO' or 'UNKNOWN_99'; 0 when unknown. */
  export function toType(name: string): number;
  const types: { toType: typeof toType };
  export default types;
}
