// For bench:scale --confined: the same floor without mDNS between its hosts, to measure what mDNS
// on a shared segment costs. Each host gets a private interface (a veth pair whose both ends stay
// in the host), lanchat runs its mDNS there only (--interface), where nobody else hears it, and
// finds its peers by --peer instead, which needs their ids before they start.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostInfo, Network } from '../../test/netns/harness.js';

export const PRIVATE_INTERFACE = 'lcm0';

/** Gives every host its private interface, with an address of its own (198.18.0.0/15, RFC 2544). */
export async function addPrivateInterfaces(network: Network, hosts: HostInfo[]): Promise<void> {
  await Promise.all(
    hosts.map((host, i) =>
      network.exec(host, [
        'sh',
        '-c',
        `ip link add ${PRIVATE_INTERFACE} type veth peer name lcm1 && ` +
          `ip addr add 198.18.${i >> 8}.${(i & 255) + 1}/32 dev ${PRIVATE_INTERFACE} && ` +
          `ip link set lcm1 up && ip link set ${PRIVATE_INTERFACE} up`,
      ]),
    ),
  );
}

/** Takes the private interfaces away again (the veth pair goes with its first end). */
export async function removePrivateInterfaces(network: Network, hosts: HostInfo[]): Promise<void> {
  await Promise.all(
    hosts.map((h) => network.exec(h, ['ip', 'link', 'del', PRIVATE_INTERFACE], { allowFail: true })),
  );
}

/** Creates the identity in each profile (`lanchat id`) and returns the ids, in order. */
export function identitiesFor(build: string, profiles: string[]): string[] {
  return profiles.map((profile) => {
    mkdirSync(profile, { recursive: true, mode: 0o700 });
    const out = execFileSync('node', [join(build, 'bin/lanchat.js'), 'id', '--json', '--profile', profile], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return String((JSON.parse(out) as { id: unknown }).id);
  });
}

/** lanchat's options for the `index`th host: mDNS on its private interface only, no peer exchange
 * (it would stand in for the missing mDNS and tell every host about every other), and a --peer for
 * every host started before it (an arrival dials those already there, as with mDNS). */
export function confinedArgs(index: number, ids: string[], hosts: HostInfo[]): string[] {
  const args = ['--interface', PRIVATE_INTERFACE, '--no-peer-exchange'];
  for (let j = 0; j < index; j++) args.push('--peer', `${ids[j]}@${hosts[j]!.interfaces[0]!.ipv4}`);
  return args;
}
