// Our published records per link, built once per change instead of once per received packet.
// The responder (every query), the prober and the §9 conflict check (every response) all ask for
// them; rebuilding them, and the record keys the conflict check compares against, was a large
// share of the CPU a node spends on a busy LAN. Each entry remembers the inputs it was built from
// and is rebuilt as soon as one differs (a rename or conflict changes the label or host, an
// update() the port or TXT, an interface change the address list), so no caller has to remember
// to invalidate it. Bounded by our own links (one entry per link id); nothing a packet carries
// becomes a key. The records are shared: callers must not modify them (none does; sends copy).
import type { NetInterface } from './net-interfaces.js';
import { allOwnRecords, type OwnRecordSet, type OwnService, ownRecords } from './own-records.js';
import { recordKey } from './record-order.js';

interface Entry {
  label: string;
  host: string;
  port: number;
  txt: Uint8Array[];
  addresses: NetInterface['addresses'];
  addressCount: number;
  set: OwnRecordSet;
  keys?: ReadonlySet<string>;
}

export class OwnRecordsMemo {
  private readonly byLink = new Map<string, Entry>();

  /** The records for this link's interface, rebuilt only if an input changed. */
  records(linkId: string, service: OwnService, iface: NetInterface): OwnRecordSet {
    return this.entry(linkId, service, iface).set;
  }

  /** `recordKey` of every record in `records(…)`. */
  keys(linkId: string, service: OwnService, iface: NetInterface): ReadonlySet<string> {
    const entry = this.entry(linkId, service, iface);
    entry.keys ??= new Set(allOwnRecords(entry.set).map(recordKey));
    return entry.keys;
  }

  /** A link went away. */
  forget(linkId: string): void {
    this.byLink.delete(linkId);
  }

  clear(): void {
    this.byLink.clear();
  }

  private entry(linkId: string, service: OwnService, iface: NetInterface): Entry {
    const old = this.byLink.get(linkId);
    if (
      old &&
      old.label === service.label &&
      old.host === service.host &&
      old.port === service.port &&
      old.txt === service.txt &&
      old.addresses === iface.addresses &&
      old.addressCount === iface.addresses.length
    )
      return old;
    const fresh: Entry = {
      ...service,
      addresses: iface.addresses,
      addressCount: iface.addresses.length,
      set: ownRecords(
        service,
        iface.addresses.map((a) => a.address),
      ),
    };
    this.byLink.set(linkId, fresh);
    return fresh;
  }
}
