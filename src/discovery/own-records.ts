// The records this node publishes (RFC 6763 §4–§6, §9) for one interface. Pure: the caller
// passes the addresses of the interface the records will go out on (RFC 6762 §15: a multi-homed
// host answers each link with that link's own addresses).
import { isIPv4 } from 'node:net';
import { stripScope } from './ip-address.js';
import { instanceName, SERVICE_TYPE, SERVICES_META } from './mdns-names.js';
import type { MdnsRecord } from './mdns-packet.js';
import { retimed } from './record-order.js';

/** RFC 6762 §10: 120 s for records naming a host, 75 min for the others. */
export const HOST_TTL = 120;
export const OTHER_TTL = 4500;
/** §6.7: legacy unicast answers carry TTLs of at most 10 s. */
export const LEGACY_MAX_TTL = 10;

export interface OwnService {
  /** Instance label (already cut and escaped: mdns-names.instanceLabel). */
  label: string;
  /** Our host name, `lanchat-xxxxxxxx.local`. */
  host: string;
  port: number;
  txt: Uint8Array[];
}

export interface OwnRecordSet {
  /** Shared (§2): every instance of the service type answers this PTR. */
  ptr: MdnsRecord;
  /** Shared: RFC 6763 §9 service-type enumeration. */
  meta: MdnsRecord;
  /** Unique (cache-flush): only we own these names. */
  srv: MdnsRecord;
  txt: MdnsRecord;
  addresses: MdnsRecord[];
}

export function ownRecords(service: OwnService, interfaceAddresses: readonly string[]): OwnRecordSet {
  const instance = instanceName(service.label);
  return {
    ptr: { name: SERVICE_TYPE, type: 'PTR', ttl: OTHER_TTL, flush: false, data: instance },
    meta: { name: SERVICES_META, type: 'PTR', ttl: OTHER_TTL, flush: false, data: SERVICE_TYPE },
    srv: {
      name: instance,
      type: 'SRV',
      ttl: HOST_TTL,
      flush: true,
      data: { target: service.host, port: service.port, priority: 0, weight: 0 },
    },
    txt: { name: instance, type: 'TXT', ttl: OTHER_TTL, flush: true, data: service.txt },
    addresses: interfaceAddresses.map((a) => {
      const address = stripScope(a);
      return isIPv4(address)
        ? { name: service.host, type: 'A', ttl: HOST_TTL, flush: true, data: address }
        : { name: service.host, type: 'AAAA', ttl: HOST_TTL, flush: true, data: address };
    }),
  };
}

/** Every record, in the order they are announced: unique ones first so the PTR finds them cached. */
export function allOwnRecords(set: OwnRecordSet): MdnsRecord[] {
  return [set.srv, set.txt, ...set.addresses, set.ptr, set.meta];
}

export function withTtl(record: MdnsRecord, ttl: number): MdnsRecord {
  return retimed(record, ttl);
}

/** §6.7: legacy unicast responses must not set cache-flush and cap the TTL at 10 s. */
export function forLegacyUnicast(record: MdnsRecord): MdnsRecord {
  return retimed(record, Math.min(record.ttl, LEGACY_MAX_TTL), false);
}
