// Is the node's TCP port reachable from this host through each address it announces? A connect
// to our own address crosses the local firewall's input hook, so a rule that drops the port shows
// up here without a second host; rules that accept all local (lo) traffic first, as ufw's and
// firewalld's do, are not seen: the finding says "from this very host" for that reason.
import { connect } from 'node:net';
import type { NetInterface } from '../../discovery/net-interfaces.js';
import { type Finding, finding } from './finding.js';

const CONNECT_TIMEOUT_MS = 2_000;

export type Connector = (host: string, port: number) => Promise<string | undefined>;

/** Resolves undefined on success, else the error code or 'timeout'. */
export const tcpConnector: Connector = (host, port) =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('timeout'), CONNECT_TIMEOUT_MS);
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });

export async function portFindings(
  port: number,
  interfaces: readonly NetInterface[],
  connector: Connector = tcpConnector,
): Promise<Finding[]> {
  const targets = interfaces.flatMap((i) =>
    i.addresses.map((a) =>
      a.family === 6 && a.address.startsWith('fe80') ? `${a.address}%${i.name}` : a.address,
    ),
  );
  const results = await Promise.all(targets.map(async (t) => [t, await connector(t, port)] as const));
  const failed = results.filter(([, err]) => err !== undefined);
  if (targets.length === 0) return [];
  if (failed.length === 0) {
    return [finding('port', 'ok', `TCP port ${port} is bound and reachable at ${targets.join(', ')}`)];
  }
  return failed.map(([target, err]) =>
    finding(
      'port',
      'fail',
      `TCP port ${port} is not reachable at ${target} (${err}) from this very host`,
      `allow incoming TCP ${port} in the firewall (e.g. \`ufw allow ${port}/tcp\`), or choose another --port`,
    ),
  );
}
