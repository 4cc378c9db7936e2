// The peer caps' count of linked identities (LinkedPeers), kept as links come and go: it must
// refuse exactly what counting every linked peer at each admission refused.
import { describe, expect, it } from 'vitest';
import { LinkedPeers, MAX_PEERS_PER_ADDRESS } from '../../src/core/peer-caps.js';

/** The rule, by walking every link: what the node did before the count was kept. */
function naive(links: Map<string, string>, id: string, address: string, total: number, perAddress: number) {
  let others = 0;
  let fromAddress = 0;
  for (const [other, at] of links) {
    if (other === id) continue;
    others++;
    if (at === address) fromAddress++;
  }
  return fromAddress >= perAddress ? 'address' : others >= total ? 'total' : undefined;
}

const kind = (message: string | undefined) =>
  message === undefined ? undefined : message.includes('from that address') ? 'address' : 'total';

describe('LinkedPeers', () => {
  it('caps identities per address; a linked identity may replace its own link, from anywhere', () => {
    const linked = new LinkedPeers();
    for (let i = 0; i < MAX_PEERS_PER_ADDRESS; i++) linked.add(`sybil${i}`, '10.0.0.66');
    expect(linked.refusal('one-more', '10.0.0.66')).toMatch(/16 peers are already linked from that address/);
    expect(linked.refusal('sybil3', '10.0.0.66')).toBeUndefined(); // its own reconnect
    expect(linked.refusal('honest', '10.0.0.7')).toBeUndefined();
    linked.add('sybil3', '10.0.0.67'); // its new link runs from elsewhere: one place freed
    expect(linked.refusal('one-more', '10.0.0.66')).toBeUndefined();
    linked.remove('sybil3');
    linked.remove('sybil3'); // twice: nothing
    expect(linked.refusal('x', '10.0.0.7', { total: MAX_PEERS_PER_ADDRESS - 1 })).toMatch(/--max-peers\)/);
  });

  it('refuses what a walk over every link refuses, through 5,000 random links and closes', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const linked = new LinkedPeers();
    const links = new Map<string, string>();
    for (let step = 0; step < 5_000; step++) {
      const id = `id${random(40)}`;
      const address = `10.0.0.${random(5)}`;
      const [total, perAddress] = [1 + random(30), 1 + random(12)];
      expect(kind(linked.refusal(id, address, { total, perAddress }))).toBe(
        naive(links, id, address, total, perAddress),
      );
      if (random(3) === 0) {
        linked.remove(id);
        links.delete(id);
      } else {
        linked.add(id, address);
        links.set(id, address);
      }
    }
  });
});
