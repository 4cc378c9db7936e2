// RFC 6762 §8.1–§8.2: before answering for our unique names (the service instance and the host
// name) we ask for them three times, 250 ms apart, after a random 0–250 ms delay, with our
// proposed records in the authority section. Any answer means the name is taken (conflict →
// caller renames and probes again, §9). A simultaneous probe for the same name is settled by
// comparing the authority records (§8.2): the lexicographically later set wins; the loser waits
// one second and probes again.
import { randomBetween, type TimerHandle } from './clock.js';
import type { EngineContext } from './engine-context.js';
import { sameName } from './mdns-names.js';
import { emptyPacket, type MdnsPacket, type MdnsRecord } from './mdns-packet.js';
import { compareRecordSets, recordKey } from './record-order.js';

export const PROBE_COUNT = 3;
export const PROBE_INTERVAL_MS = 250;
export const PROBE_MAX_INITIAL_DELAY_MS = 250;
/** §8.2: the loser of a tie-break defers this long before probing again. */
export const PROBE_DEFER_MS = 1000;
/** §8.1: after 15 conflicts in 10 s, wait 5 s between attempts (a name-squatting attacker or a
 * bug must not make us flood the link). */
export const CONFLICT_BURST = 15;
export const CONFLICT_WINDOW_MS = 10_000;
export const CONFLICT_BACKOFF_MS = 5000;

export type ConflictKind = 'instance' | 'host';

export interface ProberHooks {
  /** A name we were probing is taken; the caller renames and calls start(linkIds, true). */
  onConflict(kind: ConflictKind, linkIds: string[]): void;
  /** All probes went out unanswered on these links: the names are ours there. */
  onProbed(linkIds: string[]): void;
}

export class Prober {
  private readonly ctx: EngineContext;
  private readonly hooks: ProberHooks;
  private linkIds = new Set<string>();
  private sent = 0;
  private timer: TimerHandle | undefined;
  private conflictTimes: number[] = [];

  constructor(ctx: EngineContext, hooks: ProberHooks) {
    this.ctx = ctx;
    this.hooks = hooks;
  }

  get active(): boolean {
    return this.timer !== undefined;
  }

  isProbing(linkId: string): boolean {
    return this.active && this.linkIds.has(linkId);
  }

  /** Starts (or restarts, adding links) a probe run. `afterConflict` applies the §8.1 rate limit. */
  start(linkIds: readonly string[], afterConflict = false): void {
    const now = this.ctx.clock.now();
    let delay = randomBetween(this.ctx.random, 0, PROBE_MAX_INITIAL_DELAY_MS);
    if (afterConflict) {
      this.conflictTimes = [...this.conflictTimes.filter((t) => now - t < CONFLICT_WINDOW_MS), now];
      if (this.conflictTimes.length >= CONFLICT_BURST) delay = CONFLICT_BACKOFF_MS;
    }
    for (const id of linkIds) this.linkIds.add(id);
    this.schedule(delay, true);
  }

  cancel(): void {
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.linkIds.clear();
    this.sent = 0;
  }

  private schedule(ms: number, reset: boolean): void {
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    if (reset) this.sent = 0;
    this.timer = this.ctx.clock.setTimeout(() => this.step(), ms);
  }

  private step(): void {
    this.timer = undefined;
    if (this.sent >= PROBE_COUNT) {
      const done = [...this.linkIds];
      this.linkIds.clear();
      this.sent = 0;
      this.hooks.onProbed(done);
      return;
    }
    for (const id of this.linkIds) {
      if (!this.ctx.link(id)) {
        this.linkIds.delete(id);
        continue;
      }
      const probe = this.probePacket(id);
      if (probe) void this.ctx.send(id, probe);
    }
    this.sent++;
    this.schedule(PROBE_INTERVAL_MS, false);
  }

  /** §8.1: questions of type ANY for each name, proposed records in the authority section. QM,
   * not QU: a unicast reply to port 5353 might be delivered to avahi instead of us. */
  probePacket(linkId: string): MdnsPacket | undefined {
    const own = this.ctx.ownRecords(linkId);
    if (!own) return undefined;
    const { instance, host } = this.ctx.ownNames();
    const packet = emptyPacket('query');
    packet.questions.push({ name: instance, type: 'ANY', unicastResponse: false });
    packet.questions.push({ name: host, type: 'ANY', unicastResponse: false });
    packet.authorities.push(own.srv, own.txt, ...own.addresses);
    return packet;
  }

  /** Looks at every packet on a link while probing; returns true if it caused a conflict. */
  handlePacket(linkId: string, packet: MdnsPacket): boolean {
    if (!this.isProbing(linkId)) return false;
    const own = this.ctx.ownRecords(linkId);
    if (!own) return false;
    const { instance, host } = this.ctx.ownNames();
    const ours = new Set([own.srv, own.txt, ...own.addresses].map(recordKey));
    if (packet.kind === 'response') {
      // §8.1: any record on a name we are probing, that is not exactly ours, means it is taken.
      for (const r of [...packet.answers, ...packet.additionals]) {
        const kind = sameName(r.name, instance) ? 'instance' : sameName(r.name, host) ? 'host' : undefined;
        if (kind && !ours.has(recordKey(r))) {
          this.conflict(kind);
          return true;
        }
      }
      return false;
    }
    // §8.2: another host probing the same name at the same time.
    for (const [name, mine] of [
      [instance, [own.srv, own.txt]],
      [host, own.addresses],
    ] as const) {
      const theirs = packet.authorities.filter((r: MdnsRecord) => sameName(r.name, name));
      if (theirs.length === 0) continue;
      const order = compareRecordSets(mine, theirs);
      if (order < 0) {
        // We lose: defer, then probe again; the winner's announcement will then conflict (§9).
        this.schedule(PROBE_DEFER_MS, true);
        return false;
      }
    }
    return false;
  }

  private conflict(kind: ConflictKind): void {
    const links = [...this.linkIds];
    this.cancel();
    this.hooks.onConflict(kind, links);
  }
}
