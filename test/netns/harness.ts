// A real LAN of network namespaces for tests (layer 4 of the test pyramid). Built by
// scripts/netns.sh; this module adds processes in hosts, avahi per host, and teardown that runs
// even when a test fails or the worker exits, so no test file leaks namespaces.
import { type ChildProcess, execFile, execFileSync, spawn as spawnChild } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AvahiBrowseEvent,
  type AvahiFiles,
  avahiDaemonArgv,
  parseAvahiBrowseLine,
  writeAvahiFiles,
} from './avahi.js';
import { uniquePrefix } from './netns-available.js';
import { type JsonEvent, type LineParser, ProcessHandle, parseJsonLine } from './process-handle.js';

// The availability checks are part of the harness API; they live in their own file.
export { type Availability, avahiAvailable, netnsAvailable, uniquePrefix } from './netns-available.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NETNS_SCRIPT = join(REPO_ROOT, 'scripts/netns.sh');
const AVAHI_START_TIMEOUT_MS = 10_000;

export interface InterfaceInfo {
  name: string;
  /** Bridge (LAN segment) this interface is plugged into: b0 or b1. */
  bridge: string;
  ipv4: string | null;
  /** Link-local, without scope; null on a network built with ipv4Only. */
  ipv6: string | null;
  /** Routed topology only: the interface's global IPv6 (ULA) address, reachable across the router. */
  ula?: string;
}

export interface HostInfo {
  name: string;
  netns: string;
  interfaces: InterfaceInfo[];
  /** Routed topology only: index of the subnet (bridge) the host is on. */
  subnet?: number;
}

export interface BridgeInfo {
  name: string;
  netns: string;
  subnet: string;
  /** Routed topology only: the subnet's IPv6 ULA prefix. */
  subnet6?: string;
}

export interface NetworkOptions {
  hosts: number;
  /** Default true. false: no route at all besides the on-link subnets. */
  defaultRoute?: boolean;
  /** Host h1 on two bridges (eth0 on b0, eth1 on b1); the others alternate. */
  multihomed?: boolean;
  /** No IPv4 addresses at all: only IPv6 link-local. */
  ipv6Only?: boolean;
  /** IPv6 turned off in every host: no link-local address, no ff02::fb (the bound a dual-stack
   * floor is measured against). */
  ipv4Only?: boolean;
  /** Must start with "lct"; default "lct" + random. */
  prefix?: string;
  /** Several subnets (one bridge each) joined by a router namespace that forwards unicast IPv4/IPv6
   * but not multicast; the hosts are split between them in blocks (h1-h3 | h4-h6 for 6 hosts and
   * 2 subnets). Excludes multihomed/ipv6Only/ipv4Only/defaultRoute=false. */
  routed?: { subnets?: number };
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface SpawnOptions<T> {
  /** Added to the test's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  label?: string;
  parse?: LineParser<T>;
}

const liveNetworks = new Set<Network>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last line of defence when afterAll never ran (worker torn down, uncaught error).
  process.on('exit', () => {
    for (const network of liveNetworks) network.destroySync();
  });
  // A signal kills without 'exit': clean up, then die of the same signal as before.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const network of liveNetworks) network.destroySync();
      process.kill(process.pid, signal);
    });
  }
}

export async function createNetwork(options: NetworkOptions): Promise<Network> {
  const prefix = options.prefix ?? uniquePrefix();
  if (
    options.routed &&
    (options.multihomed || options.ipv6Only || options.ipv4Only || options.defaultRoute === false)
  ) {
    throw new Error('a routed network cannot also be multihomed, single-stack or without default route');
  }
  if (options.ipv4Only && options.ipv6Only) throw new Error('ipv4Only and ipv6Only exclude each other');
  const verb = options.routed ? 'up-routed' : options.multihomed ? 'up-multihomed' : 'up';
  const args = [verb, '--hosts', String(options.hosts), '--prefix', prefix];
  if (options.routed) args.push('--subnets', String(options.routed.subnets ?? 2));
  if (options.defaultRoute === false) args.push('--no-default-route');
  if (options.ipv6Only) args.push('--ipv6-only');
  if (options.ipv4Only) args.push('--ipv4-only');
  const network = new Network(prefix);
  liveNetworks.add(network);
  installExitHook();
  const { stdout } = await run('bash', [NETNS_SCRIPT, ...args], false, (child) => {
    network.builder = child;
  }).catch(async (err: unknown) => {
    await network.destroy();
    throw err;
  });
  network.builder = undefined;
  network.init(JSON.parse(stdout) as NetworkDescription);
  return network;
}

interface NetworkDescription {
  bridges: BridgeInfo[];
  hosts: HostInfo[];
  router?: HostInfo;
}

export class Network {
  readonly prefix: string;
  hosts: HostInfo[] = [];
  bridges: BridgeInfo[] = [];
  /** Routed topology only: the router namespace, a host like the others for exec/spawn/avahi (one
   * interface per subnet, ethB on bridge bB), but not in `hosts`. */
  router: HostInfo | undefined;
  /** Scratch space (profiles, avahi configs); removed by destroy(). */
  readonly dir: string;
  private readonly processes = new Set<ProcessHandle<unknown>>();
  private readonly avahi = new Map<string, { files: AvahiFiles; daemon: ProcessHandle<string> }>();
  private destroyed = false;
  /** The `netns.sh up` still building this network, if any: a teardown that races it (worker exit
   * after a hook timeout) stops it first, or it would go on creating namespaces after `down`. */
  builder: ChildProcess | undefined;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  /** @internal */
  init(description: NetworkDescription): void {
    this.hosts = description.hosts;
    this.bridges = description.bridges;
    this.router = description.router;
  }

  /** Routed topology: the hosts on subnet `index` (0 = b0, 1 = b1, ...). */
  hostsOnSubnet(index: number): HostInfo[] {
    return this.hosts.filter((h) => h.subnet === index);
  }

  host(name: string | HostInfo): HostInfo {
    const wanted = typeof name === 'string' ? name : name.name;
    const all = this.router ? [...this.hosts, this.router] : this.hosts;
    const found = all.find((h) => h.name === wanted || h.netns === wanted);
    if (!found) throw new Error(`no host ${wanted} in network ${this.prefix}`);
    return found;
  }

  /** Runs a command in a host (a string goes through sh -c); rejects on a non-zero exit unless
   * allowFail. */
  async exec(host: string | HostInfo, cmd: string | string[], options: { allowFail?: boolean } = {}) {
    const argv = typeof cmd === 'string' ? ['sh', '-c', cmd] : cmd;
    const result = await run('ip', ['netns', 'exec', this.host(host).netns, ...argv], true);
    if (result.code !== 0 && !options.allowFail) {
      throw new Error(`${argv.join(' ')} in ${this.host(host).name} exited ${result.code}: ${result.stderr}`);
    }
    return result;
  }

  /** Starts a long-running process in a host; its stdout lines are parsed (JSON by default). */
  spawn<T = JsonEvent>(
    host: string | HostInfo,
    argv: string[],
    options: SpawnOptions<T> = {},
  ): ProcessHandle<T> {
    if (this.destroyed) throw new Error(`network ${this.prefix} is destroyed`);
    const h = this.host(host);
    // Each host is a machine with a cache directory of its own (V8's compile cache, bin/lanchat.js),
    // kept across restarts on that host, as a real machine keeps it: with the test's one home, a
    // floor of 100 cold starts flushed the same cache files into one directory 20 s in, all at once,
    // and ext4 served their creates and renames one at a time: each node's event loop stood still
    // for ≈ 20 s in the middle of its start (strace, 2026-12-07). And tests leave ~/.cache alone.
    // A NODE_COMPILE_CACHE in the tester's shell would put every host back in one directory.
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: this.cacheDir(h) };
    delete env.NODE_COMPILE_CACHE;
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    const child = spawnChild('ip', ['netns', 'exec', h.netns, ...argv], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const parse = (options.parse ?? parseJsonLine) as LineParser<T>;
    const handle = new ProcessHandle<T>(child, `${h.name}: ${options.label ?? argv.join(' ')}`, parse);
    this.processes.add(handle as ProcessHandle<unknown>);
    void handle.exited.then(() => this.processes.delete(handle as ProcessHandle<unknown>));
    return handle;
  }

  /** The host's own cache directory (XDG_CACHE_HOME of what it runs). */
  cacheDir(host: string | HostInfo): string {
    return join(this.dir, 'cache', this.host(host).name);
  }

  /** Pulls the host's cable (bridge side down → NO-CARRIER); `admin` sets its own link down. */
  async cut(host: string | HostInfo, options: { iface?: string; admin?: boolean } = {}): Promise<void> {
    await this.linkScript('cut', host, options);
  }

  async restore(host: string | HostInfo, options: { iface?: string; admin?: boolean } = {}): Promise<void> {
    await this.linkScript('restore', host, options);
  }

  /** Starts a private system bus and avahi-daemon in the host; resolves once avahi is up.
   * `reflector`: avahi repeats mDNS between the host's interfaces (on a router). */
  async startAvahi(
    host: string | HostInfo,
    options: { reflector?: boolean } = {},
  ): Promise<ProcessHandle<string>> {
    const h = this.host(host);
    const existing = this.avahi.get(h.name);
    if (existing && existing.daemon.exitStatus === undefined) return existing.daemon;
    const files = writeAvahiFiles(
      join(this.dir, `avahi-${h.name}`),
      `avahi-${h.name}`,
      h.interfaces.map((i) => i.name),
      options,
    );
    const daemon = this.spawn<string>(h, avahiDaemonArgv(files), {
      env: { DBUS_SYSTEM_BUS_ADDRESS: files.busAddress },
      label: 'avahi-daemon',
      parse: (line) => line,
    });
    this.avahi.set(h.name, { files, daemon });
    await daemon.waitForStderr(/Server startup complete/, AVAHI_START_TIMEOUT_MS);
    return daemon;
  }

  /** Stops the host's avahi-daemon (goodbyes included) and its bus. */
  async stopAvahi(host: string | HostInfo): Promise<void> {
    const entry = this.avahi.get(this.host(host).name);
    if (!entry) return;
    entry.daemon.kill('SIGTERM');
    await entry.daemon.waitForExit(5_000).catch(() => entry.daemon.kill('SIGKILL'));
    try {
      process.kill(Number(readFileSync(entry.files.dbusPidFile, 'utf8').trim()), 'SIGTERM');
    } catch {
      // Already gone; destroy() would sweep it with the namespace anyway.
    }
    this.avahi.delete(this.host(host).name);
  }

  /** Environment for avahi clients in this host (its private system bus). */
  avahiEnv(host: string | HostInfo): Record<string, string> {
    const entry = this.avahi.get(this.host(host).name);
    if (!entry) throw new Error(`avahi is not running in ${this.host(host).name}: call startAvahi first`);
    return { DBUS_SYSTEM_BUS_ADDRESS: entry.files.busAddress };
  }

  /** One-shot `avahi-browse -rtp TYPE`: the resolved services avahi knows right now. */
  async avahiBrowse(host: string | HostInfo, type: string, timeoutMs = 10_000): Promise<AvahiBrowseEvent[]> {
    const browse = this.avahiWatch(host, type, ['-t']);
    const status = await browse.waitForExit(timeoutMs).catch((err: unknown) => {
      browse.kill('SIGKILL');
      throw err;
    });
    if (status.code !== 0) throw new Error(`avahi-browse failed\n${browse.describe()}`);
    return browse.events.filter((e) => e.op === '=');
  }

  /** A running `avahi-browse -rp TYPE`: its events are +, = (resolved) and - (removed). */
  avahiWatch(host: string | HostInfo, type: string, extra: string[] = []): ProcessHandle<AvahiBrowseEvent> {
    return this.spawn(host, ['avahi-browse', '-rp', ...extra, type], {
      env: this.avahiEnv(host),
      label: `avahi-browse ${type}`,
      parse: parseAvahiBrowseLine,
    });
  }

  /** `avahi-resolve -4|-6 -n NAME`: the address avahi finds for a host name (undefined if none).
   * avahi-browse -r resolves addresses with an unspecified protocol and may show only IPv6, so
   * tests that need a family ask for it here. */
  async avahiResolve(host: string | HostInfo, hostName: string, family: 4 | 6): Promise<string | undefined> {
    const result = await run(
      'ip',
      [
        'netns',
        'exec',
        this.host(host).netns,
        'env',
        `DBUS_SYSTEM_BUS_ADDRESS=${this.avahiEnv(host).DBUS_SYSTEM_BUS_ADDRESS}`,
        'avahi-resolve',
        `-${family}`,
        '-n',
        hostName,
      ],
      true,
    );
    const [name, address] = result.stdout.trim().split(/\s+/);
    return name === hostName ? address : undefined;
  }

  /** `avahi-publish -s NAME TYPE PORT TXT…`; resolves once avahi reports the name it got. */
  async avahiPublish(
    host: string | HostInfo,
    name: string,
    type: string,
    port: number,
    txt: string[] = [],
  ): Promise<{ process: ProcessHandle<string>; name: string }> {
    const publish = this.spawn<string>(host, ['avahi-publish', '-s', name, type, String(port), ...txt], {
      env: this.avahiEnv(host),
      label: `avahi-publish ${name}`,
      parse: (line) => line,
    });
    const line = await publish.waitForStderr(/^Established under name '/, 10_000);
    return { process: publish, name: /^Established under name '(.*)'$/.exec(line)?.[1] ?? name };
  }

  /** Kills every process we spawned, removes our namespaces (only ours, by prefix) and scratch. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.builder?.kill('SIGTERM');
    for (const p of this.processes) p.kill('SIGKILL');
    await Promise.all([...this.processes].map((p) => p.exited));
    await run('bash', [NETNS_SCRIPT, 'down', '--prefix', this.prefix]);
    rmSync(this.dir, { recursive: true, force: true });
    liveNetworks.delete(this);
  }

  /** Synchronous variant for process 'exit' hooks, where no promise would ever settle. */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.builder?.kill('SIGTERM');
    for (const p of this.processes) p.kill('SIGKILL');
    try {
      execFileSync('bash', [NETNS_SCRIPT, 'down', '--prefix', this.prefix], { stdio: 'ignore' });
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
      liveNetworks.delete(this);
    }
  }

  private async linkScript(
    verb: 'cut' | 'restore',
    host: string | HostInfo,
    options: { iface?: string; admin?: boolean },
  ): Promise<void> {
    const args = [NETNS_SCRIPT, verb, '--prefix', this.prefix, this.host(host).name];
    if (options.iface) args.push('--iface', options.iface);
    if (options.admin) args.push('--admin');
    await run('bash', args);
  }
}

/** Lists namespaces that carry `prefix` (for teardown assertions). */
export function namespacesWithPrefix(prefix: string): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

function run(
  file: string,
  args: string[],
  allowFail = false,
  onStart?: (child: ChildProcess) => void,
): Promise<ExecResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      if (err && !allowFail) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolvePromise({ stdout, stderr, code });
    });
    onStart?.(child);
  });
}
