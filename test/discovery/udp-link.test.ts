// The real mDNS socket (on loopback, another port): its receive buffer is enlarged, because a host
// whose event loop stands still for seconds at 9:00 otherwise drops what its colleagues send
// meanwhile (udp-link.ts MDNS_RECEIVE_BUFFER). Read back from the kernel with `ss`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MdnsLink } from '../../src/discovery/mdns-link.js';
import type { NetInterface } from '../../src/discovery/net-interfaces.js';
import { MDNS_RECEIVE_BUFFER, udpLinkFactory } from '../../src/discovery/udp-link.js';

const loopback: NetInterface = {
  name: 'lo',
  addresses: [{ address: '127.0.0.1', family: 4, prefixLength: 8 }],
};

/** The receive buffer the kernel gave the UDP socket bound to `port` (ss -m: skmem rb). */
function receiveBuffer(port: number): number {
  const out = execFileSync('ss', ['-uanm', `sport = :${port}`], { encoding: 'utf8' });
  const rb = /\brb(\d+)/.exec(out)?.[1];
  if (rb === undefined) throw new Error(`no socket on port ${port} in ss output:\n${out}`);
  return Number(rb);
}

describe('udp link', () => {
  it('asks the kernel for a receive buffer of MDNS_RECEIVE_BUFFER (doubled by Linux, capped by rmem_max)', async () => {
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const warnings: string[] = [];
    const link: MdnsLink = await udpLinkFactory({ port })(loopback, 4, {
      onMessage: () => {},
      onError: (e) => warnings.push(e.message),
      onWarning: (e) => warnings.push(e.message),
    });
    try {
      const max = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
      const rmemDefault = Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8'));
      // A default already that large is kept; otherwise Linux caps the request and doubles it.
      const expected =
        rmemDefault >= MDNS_RECEIVE_BUFFER ? rmemDefault : 2 * Math.min(MDNS_RECEIVE_BUFFER, max);
      expect(receiveBuffer(port)).toBe(expected);
      expect(warnings).toEqual([]);
    } finally {
      await link.close();
    }
  });
});
