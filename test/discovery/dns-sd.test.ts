// Unicast DNS-SD browsing (--dns-sd-domain): the records' checks against hostile input, and the
// browser's rounds (up, update, down, warnings once) driven by a fake resolver and a fake clock.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dnsSdFindings } from '../../src/cli/doctor/dns-sd-findings.js';
import type { DiscoveryEvent, PeerHint } from '../../src/discovery/discovery.js';
import { DnsSdBrowser, type DnsSdResolver } from '../../src/discovery/dns-sd-browser.js';
import {
  instanceLabelOf,
  isDnsSdDomain,
  MAX_ADDRESSES_PER_PEER,
  MAX_ADDRESSES_PER_TARGET,
  MAX_DNS_SD_INSTANCES,
  publicKeyFromTxt,
} from '../../src/discovery/dns-sd-records.js';
import { idOf } from '../../src/identity/ids.js';
import { FakeClock } from './fake-clock.js';

const key = (n: number) => new Uint8Array(32).fill(n);
const b64 = (n: number) => Buffer.from(key(n)).toString('base64');

describe('DNS-SD records', () => {
  it('accepts office domains and refuses what is not a domain', () => {
    expect(isDnsSdDomain('corp.example')).toBe(true);
    expect(isDnsSdDomain('corp.example.')).toBe(true);
    for (const bad of [
      '',
      '.',
      'a..b',
      '-x.example',
      'x y.example',
      'a'.repeat(64),
      `${'a.'.repeat(120)}b`,
    ]) {
      expect(isDnsSdDomain(bad), bad).toBe(false);
    }
  });

  it('takes the instance label of a name under the service, undoing DNS escapes', () => {
    expect(instanceLabelOf('alice._lanchat._tcp.corp.example', 'corp.example')).toBe('alice');
    expect(instanceLabelOf('Bob\\032Smith._LANCHAT._tcp.Corp.Example.', 'corp.example')).toBe('Bob Smith');
    expect(instanceLabelOf('a\\.b._lanchat._tcp.corp.example', 'corp.example')).toBe('a.b');
    expect(instanceLabelOf('J\\195\\188rgen._lanchat._tcp.corp.example', 'corp.example')).toBe('Jürgen');
    for (const bad of [
      'alice._lanchat._tcp.evil.example',
      'a.b._lanchat._tcp.corp.example',
      '._lanchat._tcp.corp.example',
      'x\\999._lanchat._tcp.corp.example',
      `${'a'.repeat(64)}._lanchat._tcp.corp.example`,
      `${'a'.repeat(300)}._lanchat._tcp.corp.example`,
    ]) {
      expect(instanceLabelOf(bad, 'corp.example'), bad).toBeUndefined();
    }
  });

  it('reads the key from pk= (a lanchat id or base64) and refuses doubtful TXT', () => {
    expect(publicKeyFromTxt([['v=1', `pk=${idOf(key(7))}`]])).toBe(b64(7));
    expect(publicKeyFromTxt([[`pk=${b64(7)}`]])).toBe(b64(7));
    expect(publicKeyFromTxt([['v=1']])).toBeUndefined();
    expect(publicKeyFromTxt([['pk=short']])).toBeUndefined();
    expect(publicKeyFromTxt([[`pk=${b64(7)}`], [`pk=${b64(8)}`]])).toBeUndefined();
    expect(publicKeyFromTxt([['v=2', `pk=${b64(7)}`]])).toBeUndefined();
    expect(publicKeyFromTxt([[`pk=${b64(7)}`, 'x'.repeat(300)]])).toBeUndefined();
  });
});

type Zone = {
  ptr?: string[] | Error;
  srv?: Record<string, { name: string; port: number; priority: number; weight: number }[]>;
  txt?: Record<string, string[][]>;
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
};

function notFound(): Error {
  return Object.assign(new Error('queryPtr ENOTFOUND'), { code: 'ENOTFOUND' });
}

function fakeResolver(zone: () => Zone, calls: string[] = []): DnsSdResolver {
  const get = <T>(table: Record<string, T> | undefined, name: string): Promise<T> => {
    calls.push(name);
    const value = table?.[name];
    return value === undefined ? Promise.reject(notFound()) : Promise.resolve(value);
  };
  return {
    resolvePtr: (name) => {
      const ptr = zone().ptr;
      calls.push(`PTR ${name}`);
      if (name !== '_lanchat._tcp.corp.example' || ptr === undefined) return Promise.reject(notFound());
      return ptr instanceof Error ? Promise.reject(ptr) : Promise.resolve(ptr);
    },
    resolveSrv: (name) => get(zone().srv, name),
    resolveTxt: (name) => get(zone().txt, name),
    resolve4: (name) => get(zone().a, name),
    resolve6: (name) => get(zone().aaaa, name),
  };
}

const instance = (label: string) => `${label}._lanchat._tcp.corp.example`;

function office(): Zone {
  return {
    ptr: [instance('alice'), instance('bob'), instance('me'), instance('badport'), instance('nokey')],
    srv: {
      [instance('alice')]: [{ name: 'ws1.corp.example', port: 7475, priority: 0, weight: 0 }],
      [instance('bob')]: [{ name: 'ws2.corp.example', port: 7476, priority: 0, weight: 0 }],
      [instance('me')]: [{ name: 'ws9.corp.example', port: 7475, priority: 0, weight: 0 }],
      [instance('badport')]: [{ name: 'ws3.corp.example', port: 0, priority: 0, weight: 0 }],
      [instance('nokey')]: [{ name: 'ws4.corp.example', port: 7475, priority: 0, weight: 0 }],
    },
    txt: {
      [instance('alice')]: [['v=1', `pk=${idOf(key(1))}`]],
      [instance('bob')]: [[`pk=${b64(2)}`]],
      [instance('me')]: [[`pk=${b64(9)}`]],
      [instance('badport')]: [[`pk=${b64(3)}`]],
      [instance('nokey')]: [['v=1']],
    },
    a: {
      'ws1.corp.example': ['10.1.0.11'],
      'ws2.corp.example': ['10.2.0.12'],
      'ws9.corp.example': ['10.1.0.9'],
    },
    aaaa: { 'ws1.corp.example': ['fd00::11'] },
  };
}

const local = { nick: 'me', port: 7475, publicKey: key(9), networkTag: 'x' };

async function browser(zone: () => Zone, calls?: string[]) {
  const clock = new FakeClock();
  const b = new DnsSdBrowser({
    domains: ['corp.example'],
    resolver: fakeResolver(zone, calls),
    clock,
    random: () => 0.5,
  });
  const events: DiscoveryEvent[] = [];
  b.subscribe((e) => events.push(e));
  await b.start(local);
  await roundsDone(b, 1);
  return { b, clock, events };
}

/** A round is many awaited lookups: let them run (no timers involved, so no sleeping either). */
async function roundsDone(b: DnsSdBrowser, n: number): Promise<void> {
  for (let i = 0; i < 10_000 && b.completedRounds < n; i++) await new Promise((r) => setImmediate(r));
  expect(b.completedRounds).toBe(n);
}

describe('DNS-SD browser', () => {
  it('reports the zone’s peers with addresses and port; skips itself and broken entries', async () => {
    const { b, events } = await browser(office);
    expect(b.completedRounds).toBe(1);
    expect(events).toEqual([
      {
        type: 'up',
        peer: {
          publicKey: b64(1),
          nick: 'alice',
          addresses: ['10.1.0.11', 'fd00::11'],
          port: 7475,
          source: 'dns-sd',
        },
      },
      {
        type: 'up',
        peer: { publicKey: b64(2), nick: 'bob', addresses: ['10.2.0.12'], port: 7476, source: 'dns-sd' },
      },
    ]);
    await b.stop();
  });

  it('reads the list every interval (a removed peer goes down at once) and each entry every 15 min', async () => {
    let zone = office();
    const calls: string[] = [];
    const { b, clock, events } = await browser(() => zone, calls);
    events.length = 0;
    calls.length = 0;
    zone = {
      ...office(),
      ptr: [instance('alice'), instance('me')],
      a: { 'ws1.corp.example': ['10.1.0.99'] },
    };
    await clock.advance(60_000);
    await roundsDone(b, 2);
    // One PTR query; alice's records are not asked again yet, so her move is not seen yet.
    expect(calls).toEqual(['PTR _lanchat._tcp.corp.example']);
    expect(events).toEqual([{ type: 'down', publicKey: b64(2), reason: 'expired' }]);
    for (let round = 3; round <= 16; round++) {
      await clock.advance(60_000);
      await roundsDone(b, round);
    }
    expect(events.slice(1)).toEqual([
      {
        type: 'update',
        peer: {
          publicKey: b64(1),
          nick: 'alice',
          addresses: ['10.1.0.99', 'fd00::11'],
          port: 7475,
          source: 'dns-sd',
        },
      },
    ]);
    await b.stop();
    expect(events.at(-1)).toEqual({ type: 'down', publicKey: b64(1), reason: 'stopped' });
    expect(clock.pending).toBe(0);
  });

  it('warns once about a zone without records, not at every round', async () => {
    const { b, clock, events } = await browser(() => ({}));
    for (let round = 2; round <= 5; round++) {
      await clock.advance(60_000);
      await roundsDone(b, round);
    }
    expect(events).toEqual([
      {
        type: 'warning',
        code: 'dns-sd',
        message: 'no _lanchat._tcp.corp.example records in DNS (the zone lists no lanchat peers)',
      },
    ]);
    await b.stop();
  });

  it('bounds what a hostile zone can make it resolve', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => instance(`n${i}`));
    const calls: string[] = [];
    const { b, events } = await browser(() => ({ ptr: many }), calls);
    const srvLookups = calls.filter((c) => c.startsWith('n') && c.endsWith('corp.example'));
    // One SRV and one TXT lookup per instance, for the first MAX_DNS_SD_INSTANCES only.
    expect(srvLookups.length).toBe(2 * MAX_DNS_SD_INSTANCES);
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message)).toEqual(
      [`_lanchat._tcp.corp.example lists 5000 instances; only the first ${MAX_DNS_SD_INSTANCES} are used`],
    );
    await b.stop();
  });

  it('bounds the addresses of one key however many instances claim it', async () => {
    // A hostile (or badly generated) zone lists the same pk under many instances, each on its own
    // hosts: the merged hint keeps no more addresses than one instance may bring.
    const names = Array.from({ length: 40 }, (_, i) => instance(`dup${i}`));
    const zone: Zone = { ptr: names, srv: {}, txt: {}, a: {}, aaaa: {} };
    names.forEach((name, i) => {
      const host = `h${i}.corp.example`;
      (zone.srv ?? {})[name] = [{ name: host, port: 7475, priority: 0, weight: 0 }];
      (zone.txt ?? {})[name] = [[`pk=${b64(5)}`]];
      (zone.a ?? {})[host] = Array.from({ length: MAX_ADDRESSES_PER_TARGET }, (_, j) => `10.${i}.0.${j + 1}`);
      (zone.aaaa ?? {})[host] = Array.from(
        { length: MAX_ADDRESSES_PER_TARGET },
        (_, j) => `fd00::${i}:${j + 1}`,
      );
    });
    const { b, events } = await browser(() => zone);
    const ups = events.filter((e) => e.type === 'up');
    expect(ups).toHaveLength(1);
    const peer = (ups[0] as { peer: PeerHint }).peer;
    expect(peer.addresses).toHaveLength(MAX_ADDRESSES_PER_PEER);
    expect(peer.addresses.slice(0, 2)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(b.peers()[0]?.addresses).toHaveLength(MAX_ADDRESSES_PER_PEER);
    await b.stop();
  });
});

describe('DNS-SD for lanchat doctor', () => {
  it('browses once, reporting peers and problems without scheduling anything', async () => {
    const clock = new FakeClock();
    const b = new DnsSdBrowser({ domains: ['corp.example'], resolver: fakeResolver(office), clock });
    const once = await b.browseOnce(key(9));
    expect(once.peers.map((p) => p.nick)).toEqual(['alice', 'bob']);
    expect(once.warnings).toEqual([]);
    expect(clock.pending).toBe(0);
    const failing = new DnsSdBrowser({
      domains: ['corp.example'],
      resolver: fakeResolver(() => ({ ptr: Object.assign(new Error('timeout'), { code: 'ETIMEOUT' }) })),
      clock,
    });
    const result = await failing.browseOnce();
    expect(result.warnings).toEqual([
      'DNS-SD lookup of _lanchat._tcp.corp.example failed (ETIMEOUT); retrying every minute',
    ]);
    const findings = dnsSdFindings(['corp.example'], result);
    expect(findings.map((f) => f.status)).toEqual(['fail', 'info']);
    expect(dnsSdFindings(['corp.example'], once)).toEqual([
      expect.objectContaining({
        status: 'ok',
        message: expect.stringMatching(
          /^2 peer\(s\) listed in DNS under _lanchat\._tcp\.corp\.example: alice \(10\.1\.0\.11 port 7475\)/,
        ),
      }),
    ]);
  });
});

it('the README example zone uses keys that parse as DNS-SD TXT', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const keys = [...readme.matchAll(/IN TXT +"v=1" "(pk=[^"]+)"/g)].map((m) => m[1] as string);
  expect(keys).toHaveLength(2);
  for (const k of keys) expect(publicKeyFromTxt([['v=1', k]]), k).toBeDefined();
});
