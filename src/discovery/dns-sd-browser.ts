// `--dns-sd-domain corp.example`: browse `_lanchat._tcp.corp.example` on the ordinary DNS server
// (RFC 6763 unicast DNS-SD: PTR → SRV + TXT → A/AAAA), at start and then every minute or so, and
// report the peers found like mDNS does. The PTR list is read every round (a new colleague shows
// up within a minute); each instance's records are looked up again only every 15 minutes.
// For offices whose subnets multicast does not cross: the admin publishes the peers in DNS once,
// and every node on every subnet finds them.
// Records are hostile input (dns-sd-records.ts checks them); lookups that fail are retried at the
// next round and reported once per distinct error, not once per round.
import { Resolver } from 'node:dns/promises';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import type { Discovery, DiscoveryEvent, DiscoveryListener, LocalService, PeerHint } from './discovery.js';
import { DiscoveryListeners } from './discovery-listeners.js';
import {
  instanceLabelOf,
  isTargetName,
  MAX_ADDRESSES_PER_PEER,
  MAX_ADDRESSES_PER_TARGET,
  MAX_DNS_SD_INSTANCES,
  MAX_SRV_PER_INSTANCE,
  publicKeyFromTxt,
  serviceName,
} from './dns-sd-records.js';

export const DNS_SD_INTERVAL_MS = 60_000;
/** How long an instance's SRV/TXT/addresses are trusted before they are looked up again. */
export const DNS_SD_REFRESH_MS = 15 * 60_000;
/** ± this fraction of the interval, so that a floor of nodes started together does not query in step. */
const JITTER = 0.2;
const LOOKUP_TIMEOUT_MS = 3_000;
/** Instances resolved at once: a big zone must not open hundreds of queries in one burst. */
const PARALLEL = 8;

/** The part of node:dns/promises' Resolver we use; tests pass a fake. */
export interface DnsSdResolver {
  resolvePtr(name: string): Promise<string[]>;
  resolveSrv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
  resolveTxt(name: string): Promise<string[][]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

/** The system resolver, or one asking `servers` (e.g. ['10.0.0.53', '[fd00::53]:5353']). */
export function systemDnsSdResolver(servers: readonly string[] = []): DnsSdResolver {
  const resolver = new Resolver({ timeout: LOOKUP_TIMEOUT_MS, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  return resolver;
}

export interface DnsSdBrowserOptions {
  domains: readonly string[];
  resolver?: DnsSdResolver;
  clock?: Clock;
  random?: () => number;
  intervalMs?: number;
  refreshMs?: number;
}

export class DnsSdBrowser implements Discovery {
  private readonly domains: string[];
  private readonly resolver: DnsSdResolver;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly intervalMs: number;
  private readonly listeners = new DiscoveryListeners();
  private known = new Map<string, PeerHint>();
  private readonly lastWarning = new Map<string, string>();
  private timer: TimerHandle | undefined;
  private running = false;
  private ownKey = '';
  private rounds = 0;
  private readonly refreshMs: number;
  /** Per domain|instance: its last resolution (undefined: unusable) and when. */
  private readonly resolved = new Map<string, { hint: PeerHint | undefined; at: number }>();

  constructor(options: DnsSdBrowserOptions) {
    this.domains = [...options.domains];
    this.resolver = options.resolver ?? systemDnsSdResolver();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.intervalMs = options.intervalMs ?? DNS_SD_INTERVAL_MS;
    this.refreshMs = options.refreshMs ?? DNS_SD_REFRESH_MS;
  }

  async start(local: LocalService): Promise<void> {
    this.running = true;
    this.ownKey = Buffer.from(local.publicKey).toString('base64');
    // In the background: a slow or dead DNS server must not delay start().
    void this.round();
  }

  /** One browse of every domain now; resolves when its results are reported. */
  async round(): Promise<void> {
    if (!this.running) return;
    this.clearTimer();
    const found = await this.collect();
    if (!this.running) return;
    this.rounds++;
    this.report(found);
    const delay = this.intervalMs * (1 - JITTER + 2 * JITTER * this.random());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.round();
    }, delay);
  }

  /** Browses every domain once without reporting or scheduling anything (lanchat doctor):
   * the peers listed, and the problems met. */
  async browseOnce(ownPublicKey?: Uint8Array): Promise<{ peers: PeerHint[]; warnings: string[] }> {
    if (ownPublicKey) this.ownKey = Buffer.from(ownPublicKey).toString('base64');
    const warnings: string[] = [];
    const unsubscribe = this.subscribe((e) => {
      if (e.type === 'warning') warnings.push(e.message);
    });
    try {
      return { peers: [...(await this.collect()).values()], warnings };
    } finally {
      unsubscribe();
    }
  }

  private async collect(): Promise<Map<string, PeerHint>> {
    // The cache keys of the instances listed this time (a round's own set: two collects that
    // overlap, start()'s round and a test's or doctor's, must not clear each other's).
    const seen = new Set<string>();
    const found = new Map<string, PeerHint>();
    for (const domain of this.domains) {
      for (const hint of await this.browse(domain, seen)) {
        const previous = found.get(hint.publicKey);
        if (!previous) {
          found.set(hint.publicKey, hint);
          continue;
        }
        // Several instances (or domains) naming one key: a zone may repeat it without limit.
        const addresses = [...new Set([...previous.addresses, ...hint.addresses])];
        found.set(hint.publicKey, { ...previous, addresses: addresses.slice(0, MAX_ADDRESSES_PER_PEER) });
      }
    }
    // Instances no longer listed are forgotten: the cache stays as big as the zone.
    for (const key of this.resolved.keys()) if (!seen.has(key)) this.resolved.delete(key);
    return found;
  }

  /** Completed browse rounds (tests). */
  get completedRounds(): number {
    return this.rounds;
  }

  private async browse(domain: string, seen: Set<string>): Promise<PeerHint[]> {
    const service = serviceName(domain);
    let instances: string[];
    try {
      instances = await this.resolver.resolvePtr(service);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // No such name or no PTR: the zone simply lists nobody (yet). Say so once.
      const message =
        code === 'ENOTFOUND' || code === 'ENODATA'
          ? `no ${service} records in DNS (the zone lists no lanchat peers)`
          : `DNS-SD lookup of ${service} failed (${code ?? (err as Error).message}); retrying every minute`;
      this.warnOnce(domain, message);
      return [];
    }
    this.lastWarning.delete(domain);
    const names = [...new Set(instances)].slice(0, MAX_DNS_SD_INSTANCES);
    if (instances.length > MAX_DNS_SD_INSTANCES) {
      this.warnOnce(
        `${domain}:many`,
        `${service} lists ${instances.length} instances; only the first ${MAX_DNS_SD_INSTANCES} are used`,
      );
    }
    const hints: PeerHint[] = [];
    for (let i = 0; i < names.length; i += PARALLEL) {
      const batch = await Promise.all(
        names.slice(i, i + PARALLEL).map((n) => this.cachedInstance(n, domain, seen)),
      );
      for (const h of batch) if (h) hints.push(h);
    }
    return hints;
  }

  /** An instance resolved less than REFRESH_MS ago is not asked again: each round costs one PTR
   * query per node, and the SRV/TXT/address lookups are spread over REFRESH_MS. A failed or
   * empty resolution is cached too, so a broken entry is not hammered every minute. */
  private async cachedInstance(
    instance: string,
    domain: string,
    seen: Set<string>,
  ): Promise<PeerHint | undefined> {
    const key = `${domain}|${instance.toLowerCase()}`;
    seen.add(key);
    const now = this.clock.now();
    const cached = this.resolved.get(key);
    if (cached && now - cached.at < this.refreshMs) return cached.hint;
    const hint = await this.resolveInstance(instance, domain);
    this.resolved.set(key, { hint, at: now });
    return hint;
  }

  private async resolveInstance(instance: string, domain: string): Promise<PeerHint | undefined> {
    const label = instanceLabelOf(instance, domain);
    if (label === undefined) return undefined; // a PTR pointing outside the service: ignored
    const [srvs, txt] = await Promise.all([
      this.resolver.resolveSrv(instance).catch(() => []),
      this.resolver.resolveTxt(instance).catch(() => []),
    ]);
    const publicKey = publicKeyFromTxt(txt);
    if (!publicKey || publicKey === this.ownKey) return undefined;
    const usable = srvs
      .filter((s) => Number.isInteger(s.port) && s.port >= 1 && s.port <= 65535 && isTargetName(s.name))
      .sort((a, b) => a.priority - b.priority || b.weight - a.weight)
      .slice(0, MAX_SRV_PER_INSTANCE);
    const best = usable[0];
    if (!best) return undefined;
    const addresses: string[] = [];
    for (const srv of usable.filter((s) => s.port === best.port)) {
      const [v4, v6] = await Promise.all([
        this.resolver.resolve4(srv.name).catch(() => []),
        this.resolver.resolve6(srv.name).catch(() => []),
      ]);
      addresses.push(...v4.slice(0, MAX_ADDRESSES_PER_TARGET), ...v6.slice(0, MAX_ADDRESSES_PER_TARGET));
    }
    if (addresses.length === 0) return undefined;
    return { publicKey, nick: label, addresses: [...new Set(addresses)], port: best.port, source: 'dns-sd' };
  }

  private report(found: Map<string, PeerHint>): void {
    const before = this.known;
    this.known = found;
    for (const [key, peer] of found) {
      const old = before.get(key);
      if (!old) this.emit({ type: 'up', peer });
      else if (JSON.stringify(old) !== JSON.stringify(peer)) this.emit({ type: 'update', peer });
    }
    for (const key of before.keys()) {
      if (!found.has(key)) this.emit({ type: 'down', publicKey: key, reason: 'expired' });
    }
  }

  private warnOnce(key: string, message: string): void {
    if (this.lastWarning.get(key) === message) return;
    this.lastWarning.set(key, message);
    this.emit({ type: 'warning', code: 'dns-sd', message });
  }

  update(_change: Partial<Pick<LocalService, 'nick' | 'port'>>): void {
    // Nothing is published: the admin's zone says where we are.
  }

  peers(): PeerHint[] {
    return [...this.known.values()];
  }

  subscribe(listener: DiscoveryListener): () => void {
    return this.listeners.add(listener);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.clearTimer();
    this.listeners.stopAll(this.known);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(event: DiscoveryEvent): void {
    this.listeners.emit(event);
  }
}
