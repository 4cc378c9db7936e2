// The mDNS Discovery: one responder + querier (RFC 6762, DNS-SD per RFC 6763) over one link per
// selected interface and address family. This file wires the pieces and owns the lifecycle; each
// RFC behaviour lives in its own file (prober, announcer, responder, querier, record-cache).
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { TXT_SALT_BYTES } from '../crypto/txt-seal.js';
import { base64Of } from '../identity/ids.js';
import { Announcer, goodbyeForName } from './announcer.js';
import { type Clock, type Random, systemClock } from './clock.js';
import { findConflict } from './conflict-check.js';
import type { Discovery, DiscoveryEvent, DiscoveryListener, LocalService, PeerHint } from './discovery.js';
import { DiscoveryError } from './discovery-error.js';
import { DiscoveryListeners } from './discovery-listeners.js';
import type { EngineContext, LinkState } from './engine-context.js';
import { type InterfaceChanges, InterfaceWatcher } from './interface-watcher.js';
import { stripScope } from './ip-address.js';
import { type LinkFactory, linkId } from './mdns-link.js';
import {
  hostNameFor,
  instanceLabel,
  instanceName,
  nextInstanceLabel,
  nickOfLabel,
  opaqueLabel,
} from './mdns-names.js';
import { type Endpoint, MDNS_PORT, type MdnsPacket } from './mdns-packet.js';
import {
  InterfaceFactsMemo,
  type InterfaceFactsProbe,
  listInterfaces,
  type NetInterface,
  selectInterfaces,
} from './net-interfaces.js';
import { OneShotQueries } from './one-shot-queries.js';
import { OwnPackets } from './own-packets.js';
import type { OwnRecordSet, OwnService } from './own-records.js';
import { OwnRecordsMemo } from './own-records-memo.js';
import { IncrementalResolver, PeerTable } from './peer-table.js';
import { type ConflictKind, Prober } from './prober.js';
import { Querier } from './querier.js';
import { type CacheEntry, RecordCache } from './record-cache.js';
import { recordKey } from './record-order.js';
import { Responder } from './responder.js';
import { encodeSealedTxt } from './sealed-txt.js';
import { isOnLink } from './subnet-check.js';
import { encodeTxt } from './txt-record.js';
import { udpLinkFactory } from './udp-link.js';
import { createWarningLimiter, type WarningSink } from './warning-limiter.js';
import { decodePacket } from './wire-decoder.js';

export interface MdnsDiscoveryOptions {
  /** `--interface` names: use exactly these (even virtual ones). */
  interfaces?: readonly string[];
  linkFactory?: LinkFactory;
  /** Non-loopback interfaces with addresses; default from os.networkInterfaces(). */
  listInterfaces?: () => NetInterface[];
  interfaceFacts?: InterfaceFactsProbe;
  families?: readonly (4 | 6)[];
  clock?: Clock;
  random?: Random;
  /** Port responses must come from (§6); 5353 except in loopback tests. */
  mdnsPort?: number;
  pollIntervalMs?: number;
  /** Set on a private network (network-key.discoveryKeyOf): the TXT record is sealed under it
   * (v=2), the instance and host names are random, so nothing published names us or our key. */
  discoveryKey?: Uint8Array;
  /** Cryptographic randomness for salts and opaque names; node:crypto's by default. */
  randomBytes?: (n: number) => Uint8Array;
}

/** Distinct instances of another lanchat network we keep count of; a flood stops counting. */
const MAX_FOREIGN_TRACKED = 4096;

export class MdnsDiscovery implements Discovery {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly options: MdnsDiscoveryOptions;
  private readonly listeners = new DiscoveryListeners();
  private readonly links = new Map<string, LinkState>();
  private readonly cache: RecordCache;
  private readonly table = new PeerTable();
  private readonly resolver: IncrementalResolver;
  /** Lower-case names withdrawn by a goodbye or cache flush since the peer table was last updated
   * (when the goodbye arrived, and again when the cache dropped the record). */
  private readonly goodbyeNames = new Set<string>();
  private settleQueued = false;
  /** How often the peer table was brought up to date (tests: one burst, few settles). */
  private settles = 0;
  private readonly ownPackets = new OwnPackets();
  private readonly oneShots: OneShotQueries;
  private readonly warn: WarningSink;
  private readonly ctx: EngineContext;
  private readonly prober: Prober;
  private readonly announcer: Announcer;
  private readonly responder: Responder;
  private readonly querier: Querier;
  private watcher: InterfaceWatcher | undefined;
  private local: LocalService | undefined;
  private label = '';
  /** The TXT strings we publish; built at start and on a nick change (fresh salt on v=2). */
  private txt: Uint8Array[] = [];
  /** What the host name is derived from: our key on the public network, random bytes on a
   * private one (a hash of the key would let anyone who knows a key recognise its owner). */
  private hostSeed: Uint8Array = new Uint8Array(0);
  /** Lower-case instance names of lanchat services of another network heard so far. */
  private readonly foreign = new Set<string>();
  private hostAttempt = 1;
  /** Base64 of our key, set at start (the key never changes): resolution asks for it per update. */
  private ownKeyText = '';
  /** hostNameFor (a SHA-256) is asked for on every received packet; its inputs rarely change. */
  private hostNameMemo: { seed: Uint8Array; attempt: number; name: string } | undefined;
  private readonly ownMemo = new OwnRecordsMemo();
  /** What sysfs says about our interfaces, for the watcher's poll (see InterfaceFactsMemo). */
  private readonly interfaceFacts: InterfaceFactsMemo;
  private announcedOnce = false;
  /** Per link: instance records of an old nick, still held until the new nick is announced there,
   * and then withdrawn (goodbye) right after that announcement, so that peers see a rename as an
   * update of the same key and never as down + up. */
  private readonly retired = new Map<string, OwnRecordSet[]>();
  private state: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(options: MdnsDiscoveryOptions = {}) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.oneShots = new OneShotQueries(this.clock, this.random);
    this.interfaceFacts = new InterfaceFactsMemo(() => this.clock.now());
    this.cache = new RecordCache(this.random);
    this.resolver = new IncrementalResolver(this.cache, () => ({
      ownPublicKey: this.ownKeyText,
      networkTag: this.local?.networkTag ?? '',
      discoveryKey: this.options.discoveryKey,
      interfaceOf: (id) => this.links.get(id)?.iface.name,
      onForeign: (instance) => this.noteForeign(instance),
    }));
    this.warn = createWarningLimiter(this.clock, (code, message) =>
      this.emit({ type: 'warning', code, message }),
    );
    this.ctx = {
      clock: this.clock,
      random: this.random,
      links: () => [...this.links.values()],
      link: (id) => this.links.get(id),
      ownRecords: (id) => this.ownRecordsFor(id),
      ownNames: () => this.ownNames(),
      send: (id, packet, to) => this.send(id, packet, to),
      warn: (code, message) => this.warn(code, message),
    };
    this.prober = new Prober(this.ctx, {
      onConflict: (kind, ids) => this.onConflict(kind, ids),
      onProbed: (ids) => void this.onProbed(ids),
    });
    this.announcer = new Announcer(this.ctx);
    this.responder = new Responder(this.ctx);
    this.querier = new Querier(this.ctx, this.cache, {
      onCacheChange: (removed, touched) => this.cacheChanged(removed, touched),
      missing: () => {
        this.settle();
        return this.resolver.missing();
      },
    });
  }

  /** Names of the interfaces we are speaking on. */
  interfaces(): string[] {
    return [...new Set([...this.links.values()].map((l) => l.iface.name))];
  }

  /** Work counters for tests and benchmarks: peer-table updates, and instance resolutions. */
  resolutionStats(): { settles: number; resolutions: number } {
    return { settles: this.settles, resolutions: this.resolver.resolutions };
  }

  /** Lanchat services of another network (or of a lanchat too old or too new to read) heard
   * since start: they are skipped, and this says why a colleague may be missing. */
  foreignServices(): number {
    return this.foreign.size;
  }

  /** The nick currently published (after any §9 rename). */
  instanceLabel(): string | undefined {
    return this.state === 'running' ? this.label : undefined;
  }

  get nick(): string {
    // On a private network the nick travels sealed in the TXT and a name conflict renames only
    // the opaque instance label.
    return this.sealed && this.local ? this.local.nick : nickOfLabel(this.label);
  }

  private get sealed(): boolean {
    return this.options.discoveryKey !== undefined;
  }

  private randomBytes(n: number): Uint8Array {
    return new Uint8Array((this.options.randomBytes ?? randomBytes)(n));
  }

  private buildTxt(local: LocalService): Uint8Array[] {
    const key = this.options.discoveryKey;
    if (!key) return encodeTxt({ publicKey: base64Of(local.publicKey), networkTag: local.networkTag });
    return encodeSealedTxt(
      { publicKey: local.publicKey, nick: local.nick },
      key,
      this.randomBytes(TXT_SALT_BYTES),
    );
  }

  private noteForeign(instance: string): void {
    const name = instance.toLowerCase();
    if (this.foreign.has(name) || this.foreign.size >= MAX_FOREIGN_TRACKED) return;
    this.foreign.add(name);
    const n = this.foreign.size;
    // 1, 2, 4, 8…: enough to notice, never a flood however many there are.
    if ((n & (n - 1)) === 0)
      this.warn(
        'other-network',
        `heard ${n} lanchat service(s) of another network (another --network key, or none); they are skipped`,
      );
  }

  async start(local: LocalService): Promise<void> {
    if (this.state !== 'idle') throw new DiscoveryError('bad-state', 'mDNS discovery was already started');
    this.state = 'running';
    this.local = { ...local };
    this.ownKeyText = base64Of(local.publicKey);
    this.label = this.sealed ? opaqueLabel(this.randomBytes(8)) : instanceLabel(local.nick);
    this.hostSeed = this.sealed ? this.randomBytes(32) : local.publicKey;
    this.txt = this.buildTxt(this.local);
    const explicit = this.options.interfaces ?? [];
    const selection = this.select();
    if (selection.missing.length > 0) {
      this.state = 'stopped';
      const available = this.allInterfaces().map((i) => i.name);
      throw new DiscoveryError(
        'no-such-interface',
        `--interface ${selection.missing.join(', ')}: no such interface with an IP address ` +
          `(available: ${available.join(', ') || 'none'})`,
      );
    }
    for (const w of selection.warnings) this.warn('virtual-interfaces', w);
    try {
      for (const iface of selection.selected) await this.openLinks(iface);
    } catch (err) {
      await this.closeLinks();
      this.state = 'stopped';
      throw err;
    }
    if (this.links.size === 0) {
      this.warn(
        'no-interfaces',
        explicit.length > 0
          ? 'the selected interfaces have no usable address yet; waiting for one'
          : 'no network interface with an IP address; waiting for one',
      );
    }
    this.watcher = new InterfaceWatcher(
      this.clock,
      () => this.select().selected,
      (changes) => void this.onInterfacesChanged(changes),
      selection.selected,
      this.options.pollIntervalMs,
    );
    this.watcher.start();
    this.askOnce([...this.links.keys()]);
    this.prober.start([...this.links.keys()]);
    this.querier.start(this.links.size > 0);
  }

  /** A one-shot query on each new link (see one-shot-socket.ts): peers answer it at once. */
  private askOnce(ids: readonly string[]): void {
    for (const id of ids) void this.links.get(id)?.link.sendOneShot(this.oneShots.query());
  }

  update(change: Partial<Pick<LocalService, 'nick' | 'port'>>): void {
    const local = this.local;
    if (!local || this.state !== 'running') throw new DiscoveryError('bad-state', 'update() before start()');
    let changed = false;
    if (change.port !== undefined && change.port !== local.port) {
      local.port = change.port;
      changed = true;
    }
    if (this.sealed && change.nick !== undefined && change.nick !== local.nick) {
      // The instance name stays; only the sealed TXT changes (with a fresh salt).
      local.nick = change.nick;
      this.txt = this.buildTxt(local);
      changed = true;
    }
    // §8.4: a changed record is announced again (cache-flush replaces the old SRV / TXT).
    if (changed) void this.announcer.announce(this.announcedIds());
    if (!this.sealed && change.nick !== undefined && instanceLabel(change.nick) !== this.label) {
      // The new name must be probed first (§8.1); the old one goes away (goodbye, §10.1) once the
      // new one is announced. Peers drop an instance at once on its goodbye, so a goodbye first
      // would show them the rename as down, then up a second later.
      for (const state of this.links.values()) {
        const own = this.ownRecordsFor(state.id);
        if (state.announced && own) this.retired.set(state.id, [...(this.retired.get(state.id) ?? []), own]);
        state.announced = false;
      }
      local.nick = change.nick;
      this.label = instanceLabel(change.nick);
      this.announcedOnce = false;
      this.prober.start([...this.links.keys()]);
    }
  }

  peers(): PeerHint[] {
    return this.table.peers();
  }

  subscribe(listener: DiscoveryListener): () => void {
    return this.listeners.add(listener);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    this.watcher?.stop();
    this.prober.cancel();
    this.responder.cancel();
    this.querier.stop();
    if (wasRunning) await Promise.all([this.announcer.goodbye(), this.retire([...this.retired.keys()])]);
    this.announcer.cancel();
    await this.closeLinks();
    for (const e of this.table.clear()) this.emit(e);
    this.cache.clear();
    this.ownMemo.clear();
    this.resolver.reset();
    this.goodbyeNames.clear();
  }

  private emit(event: DiscoveryEvent): void {
    this.listeners.emit(event);
  }

  private allInterfaces(): NetInterface[] {
    return this.options.listInterfaces?.() ?? listInterfaces(networkInterfaces());
  }

  private select() {
    return selectInterfaces(
      this.allInterfaces(),
      this.options.interfaces ?? [],
      this.options.interfaceFacts ?? this.interfaceFacts.probe,
    );
  }

  private async openLinks(iface: NetInterface): Promise<string[]> {
    const opened: string[] = [];
    for (const family of this.options.families ?? [4, 6]) {
      if (!iface.addresses.some((a) => a.family === family)) continue;
      const id = linkId(iface.name, family);
      if (this.links.has(id)) continue;
      const factory = this.options.linkFactory ?? udpLinkFactory();
      const link = await factory(iface, family, {
        onMessage: (bytes, from) => this.onMessage(id, bytes, from),
        onWarning: (err) => this.warn('socket-warning', `${iface.name}/IPv${family}: ${err.message}`),
        onError: (err) => this.warn('socket-error', `${iface.name}/IPv${family}: ${err.message}`),
      });
      if (this.state === 'stopped') {
        await link.close();
        break;
      }
      this.links.set(id, { id, iface, link, announced: false, lastMulticast: new Map() });
      opened.push(id);
    }
    return opened;
  }

  private async closeLinks(): Promise<void> {
    const all = [...this.links.values()];
    this.links.clear();
    await Promise.all(all.map((l) => l.link.close().catch(() => undefined)));
  }

  private ownNames() {
    return {
      instance: instanceName(this.label),
      host: this.local ? this.hostName() : '',
    };
  }

  private hostName(): string {
    const memo = this.hostNameMemo;
    if (memo && memo.seed === this.hostSeed && memo.attempt === this.hostAttempt) return memo.name;
    const name = hostNameFor(this.hostSeed, this.hostAttempt);
    this.hostNameMemo = { seed: this.hostSeed, attempt: this.hostAttempt, name };
    return name;
  }

  private ownService(local: LocalService): OwnService {
    return { label: this.label, host: this.hostName(), port: local.port, txt: this.txt };
  }

  private ownRecordsFor(id: string): OwnRecordSet | undefined {
    const state = this.links.get(id);
    const local = this.local;
    if (!state || !local) return undefined;
    return this.ownMemo.records(id, this.ownService(local), state.iface);
  }

  private announcedIds(): string[] {
    return [...this.links.values()].filter((l) => l.announced).map((l) => l.id);
  }

  private async send(id: string, packet: MdnsPacket, to?: Endpoint): Promise<void> {
    const state = this.links.get(id);
    if (!state) return;
    const now = this.clock.now();
    this.ownPackets.remember(packet, now);
    if (!to && packet.kind === 'response') {
      for (const r of [...packet.answers, ...packet.additionals]) state.lastMulticast.set(recordKey(r), now);
    }
    await state.link.send(packet, to);
  }

  private onMessage(id: string, bytes: Uint8Array, from: Endpoint): void {
    try {
      this.handleMessage(id, bytes, from);
    } catch (err) {
      // Untrusted input must never take the node down (RFC 6762 §11).
      this.warn('bad-packet', `packet from ${from.address} could not be handled: ${(err as Error).message}`);
    }
  }

  private handleMessage(id: string, bytes: Uint8Array, from: Endpoint): void {
    const state = this.links.get(id);
    if (!state || this.state !== 'running') return;
    // §11: packets from off-link sources are ignored (and so are other interfaces' packets,
    // which every socket bound to port 5353 also receives).
    if (!isOnLink(from.address, state.iface)) return;
    const decoded = decodePacket(bytes);
    if (!decoded.ok) {
      this.warn('bad-packet', `ignored a packet from ${from.address}: ${decoded.reason}`);
      return;
    }
    const packet = decoded.packet;
    if (decoded.dropped > 0) {
      this.warn('bad-record', `ignored ${decoded.dropped} malformed record(s) from ${from.address}`);
    }
    // Our own multicast comes back to us (loopback is on so that same-host processes hear us).
    // An identical packet from another process on this host looks the same, so an echo only
    // skips work that is harmless to skip; answering queries never depends on it.
    const own = this.isOwnAddress(from.address) && this.ownPackets.isOwn(packet, this.clock.now());
    // §6: responses come from 5353; a query from elsewhere is a one-shot query (§5.1, §6.7).
    const fromMdnsPort = from.port === (this.options.mdnsPort ?? MDNS_PORT);
    if (packet.kind === 'response') {
      if (own) return;
      // §6: a response not from the mDNS port is not a Multicast DNS response at all.
      if (!fromMdnsPort) return;
      if (this.prober.handlePacket(id, packet)) return;
      if (state.announced && this.conflictsWithUs(packet)) return;
      // Multicast responses carry id 0 (§18.1); answers to our one-shot query echo its id.
      const oneShotAnswer = this.oneShots.answers(packet);
      this.querier.handleResponse(
        id,
        oneShotAnswer ? this.oneShots.forCache(packet) : packet,
        this.ownNames(),
      );
      if (oneShotAnswer && packet.answers.length > 0) this.querier.postponeFirstBrowse();
      return;
    }
    if (!own) this.prober.handlePacket(id, packet);
    // Our own browse queries list our PTR as a known answer, so the responder stays quiet on
    // them by §7.1 without having to tell them apart from a same-host process's queries.
    this.responder.handleQuery(id, packet, from);
    // A one-shot query (not from 5353, ours included) is answered by unicast to its sender: its
    // answers fill no cache here, so it neither stands in for our browse (§7.3) nor counts as a
    // query left unanswered (§10.5); the querier notes it, since it covers that host's next browse.
    if (!own && fromMdnsPort) this.querier.handleQuery(id, packet, from);
    else if (!own) this.querier.handleOneShotQuery(id, packet, from);
  }

  private isOwnAddress(address: string): boolean {
    const bare = stripScope(address);
    for (const l of this.links.values()) if (l.iface.addresses.some((a) => a.address === bare)) return true;
    return false;
  }

  /** §9: after announcing, a response with our unique names but other rdata is a conflict. */
  private conflictsWithUs(packet: MdnsPacket): boolean {
    const local = this.local;
    if (!local) return false;
    const service = this.ownService(local);
    const own = [...this.links.values()].map((state) => this.ownMemo.keys(state.id, service, state.iface));
    const kind = findConflict(packet, own, this.ownNames());
    if (kind) this.onConflict(kind, [...this.links.keys()]);
    return kind !== undefined;
  }

  private onConflict(kind: ConflictKind, _ids: string[]): void {
    if (this.state !== 'running') return;
    if (kind === 'instance' && this.sealed) {
      // An opaque label has no nick to rename: draw another one.
      this.label = opaqueLabel(this.randomBytes(8));
    } else if (kind === 'instance') {
      const previous = nickOfLabel(this.label);
      this.label = nextInstanceLabel(this.label);
      if (this.local) this.local.nick = nickOfLabel(this.label);
      this.emit({ type: 'renamed', nick: nickOfLabel(this.label), previous });
    } else {
      this.hostAttempt++;
    }
    // A renamed record set must be probed on every link again (§9).
    this.announcer.cancel();
    for (const l of this.links.values()) l.announced = false;
    this.announcedOnce = false;
    this.prober.start([...this.links.keys()], true);
  }

  private async onProbed(ids: string[]): Promise<void> {
    if (this.state !== 'running') return;
    const live = ids.filter((id) => this.links.has(id));
    for (const id of live) {
      const state = this.links.get(id);
      if (state) state.announced = true;
    }
    await this.announcer.announce(live);
    await this.retire(live);
    if (!this.announcedOnce && this.state === 'running' && live.length > 0) {
      this.announcedOnce = true;
      this.emit({ type: 'announced', nick: this.nick });
    }
  }

  /** Sends the goodbyes of old nicks held on these links (see `retired`). */
  private async retire(ids: readonly string[]): Promise<void> {
    const { instance } = this.ownNames();
    const sends: Promise<void>[] = [];
    for (const id of ids) {
      const sets = this.retired.get(id) ?? [];
      this.retired.delete(id);
      // A name we went back to before the rename finished is ours again, not withdrawn.
      for (const own of sets)
        if (own.srv.name.toLowerCase() !== instance.toLowerCase())
          sends.push(this.send(id, goodbyeForName(own)));
    }
    await Promise.all(sends);
  }

  /** Marks what a cache change touched; the peer table catches up once this macrotask is done,
   * so a burst of answers costs one update, and each update re-resolves only touched instances. */
  private cacheChanged(removed: CacheEntry[], touched: CacheEntry[]): void {
    if (this.state !== 'running') return;
    // A goodbye counts when it arrives (`touched`, still cached for the §10.1 grace): a PTR or SRV
    // that said goodbye no longer resolves, so the peer goes down now, not a second later.
    for (const e of [...removed, ...touched]) {
      this.resolver.touch(e.record);
      if (!e.goodbye) continue;
      this.goodbyeNames.add(e.record.name.toLowerCase());
      if (e.record.type === 'PTR') this.goodbyeNames.add(e.record.data.toLowerCase());
      this.oneShots.noteGoodbye(e.record);
    }
    if (this.settleQueued) return;
    this.settleQueued = true;
    const run = () => {
      this.settleQueued = false;
      if (this.state !== 'running') return;
      this.settle();
      this.querier.askMissing();
    };
    if (this.clock.defer) this.clock.defer(run);
    else this.clock.setTimeout(run, 0);
  }

  /** Brings the peer table up to date with the cache and emits what changed. */
  private settle(): void {
    if (this.state !== 'running' || !this.resolver.dirty) return;
    this.settles++;
    const events = this.table.apply(this.resolver.settle(), this.goodbyeNames);
    this.goodbyeNames.clear();
    for (const event of events) this.emit(event);
  }

  private async onInterfacesChanged(changes: InterfaceChanges): Promise<void> {
    this.interfaceFacts.forget(
      [...changes.added, ...changes.removed, ...changes.changed].map((iface) => iface.name),
    );
    if (this.state !== 'running') return;
    for (const iface of changes.removed) {
      for (const family of [4, 6] as const) {
        const id = linkId(iface.name, family);
        const state = this.links.get(id);
        if (!state) continue;
        this.links.delete(id);
        this.retired.delete(id);
        this.ownMemo.forget(id);
        await state.link.close().catch(() => undefined);
        this.cacheChanged(
          this.cache.removeLink(id).map((e) => ({ ...e, goodbye: false })),
          [],
        );
      }
    }
    const reannounce: string[] = [];
    const added: string[] = [];
    for (const iface of changes.changed) {
      for (const state of this.links.values()) {
        if (state.iface.name !== iface.name) continue;
        state.iface = iface;
        // §8.4: new addresses are announced (cache-flush replaces the old A/AAAA rrset).
        if (state.announced) reannounce.push(state.id);
      }
      // A family may have appeared on this interface (first IPv6 address, say).
      added.push(...(await this.tryOpen(iface)));
    }
    for (const iface of changes.added) added.push(...(await this.tryOpen(iface)));
    if (reannounce.length > 0) void this.announcer.announce(reannounce);
    if (added.length > 0) {
      // §8.1 on the new link before answering there; browse from the start (§5.2) to meet peers.
      this.askOnce(added);
      this.prober.start(added);
      this.querier.start(true);
    }
  }

  private async tryOpen(iface: NetInterface): Promise<string[]> {
    try {
      return await this.openLinks(iface);
    } catch (err) {
      this.warn('socket-error', `cannot use ${iface.name}: ${(err as Error).message}`);
      return [];
    }
  }
}
