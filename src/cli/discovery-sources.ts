// The discoveries a node combines, from its configuration: mDNS always (sealed on a private
// network), static --peer entries, and unicast DNS-SD for each --dns-sd-domain (asking
// --dns-server when given).
import { CombinedDiscovery } from '../discovery/combined-discovery.js';
import type { Discovery } from '../discovery/discovery.js';
import { DnsSdBrowser, systemDnsSdResolver } from '../discovery/dns-sd-browser.js';
import { MdnsDiscovery } from '../discovery/mdns-discovery.js';
import { StaticPeers } from '../discovery/static-peers.js';
import type { NodeConfig } from './common-options.js';

export function discoverySources(
  config: Pick<NodeConfig, 'interfaces' | 'peers' | 'dnsSdDomains' | 'dnsServers' | 'discoveryKey'>,
): { discovery: CombinedDiscovery; mdns: MdnsDiscovery } {
  const mdns = new MdnsDiscovery({
    interfaces: config.interfaces,
    // A private network seals its TXT record under a key derived from the network key.
    ...(config.discoveryKey ? { discoveryKey: config.discoveryKey } : {}),
  });
  const parts: Discovery[] = [mdns, new StaticPeers(config.peers)];
  if (config.dnsSdDomains.length > 0) {
    parts.push(
      new DnsSdBrowser({ domains: config.dnsSdDomains, resolver: systemDnsSdResolver(config.dnsServers) }),
    );
  }
  return { discovery: new CombinedDiscovery(parts), mdns };
}
