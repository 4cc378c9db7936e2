// RFC 6762 §8.4 requires re-announcing when an address changes, and probing when we join a new
// link. Node has no change notification for interfaces, so we poll os.networkInterfaces() (cheap:
// a getifaddrs call) every few seconds and report differences.
import type { Clock, TimerHandle } from './clock.js';
import type { NetInterface } from './net-interfaces.js';

export const INTERFACE_POLL_MS = 3000;

export interface InterfaceChanges {
  added: NetInterface[];
  removed: NetInterface[];
  /** Same name, different addresses. */
  changed: NetInterface[];
}

function addressesKey(iface: NetInterface): string {
  return iface.addresses
    .map((a) => `${a.address}/${a.prefixLength}`)
    .sort()
    .join(',');
}

export function diffInterfaces(
  before: readonly NetInterface[],
  after: readonly NetInterface[],
): InterfaceChanges {
  const old = new Map(before.map((i) => [i.name, i]));
  const now = new Map(after.map((i) => [i.name, i]));
  return {
    added: after.filter((i) => !old.has(i.name)),
    removed: before.filter((i) => !now.has(i.name)),
    changed: after.filter((i) => {
      const o = old.get(i.name);
      return o !== undefined && addressesKey(o) !== addressesKey(i);
    }),
  };
}

export class InterfaceWatcher {
  private timer: TimerHandle | undefined;
  private current: NetInterface[];

  constructor(
    private readonly clock: Clock,
    private readonly select: () => NetInterface[],
    private readonly onChange: (changes: InterfaceChanges) => void,
    initial: NetInterface[],
    private readonly intervalMs = INTERFACE_POLL_MS,
  ) {
    this.current = initial;
  }

  start(): void {
    this.timer = this.clock.setTimeout(() => this.poll(), this.intervalMs);
  }

  poll(): void {
    const next = this.select();
    const changes = diffInterfaces(this.current, next);
    this.current = next;
    if (changes.added.length + changes.removed.length + changes.changed.length > 0) this.onChange(changes);
    if (this.timer !== undefined) this.start();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
