// avahi-daemon as a second, independent mDNS implementation to test lanchat against. Each
// namespace gets its own system bus and its own avahi runtime directory, so several daemons run at
// once and none of them ever touches the machine's real bus, /run/avahi-daemon or interfaces.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of `avahi-browse -p` output: + new, - removed, = resolved. */
export interface AvahiBrowseEvent {
  op: '+' | '-' | '=';
  iface: string;
  /** The protocol the service was seen on. The resolved address may be of either family: avahi
   * resolves the host name with an unspecified protocol. */
  protocol: 'IPv4' | 'IPv6' | string;
  name: string;
  type: string;
  domain: string;
  /** Only on resolved (=) lines. */
  hostName?: string;
  address?: string;
  port?: number;
  txt?: string[];
}

export interface AvahiFiles {
  dir: string;
  busAddress: string;
  dbusConfig: string;
  avahiConfig: string;
  dbusPidFile: string;
}

/** Writes a private system-bus config and an avahi config for one host into `dir`; `reflector`
 * makes it repeat mDNS between its interfaces (an admin's cross-subnet setup on a router). */
export function writeAvahiFiles(
  dir: string,
  hostName: string,
  interfaces: string[],
  options: { reflector?: boolean } = {},
): AvahiFiles {
  mkdirSync(join(dir, 'services'), { recursive: true });
  const socket = join(dir, 'bus.sock');
  const dbusPidFile = join(dir, 'dbus.pid');
  const dbusConfig = join(dir, 'dbus.conf');
  const avahiConfig = join(dir, 'avahi-daemon.conf');
  // Everything runs as root inside a throwaway namespace: an allow-all policy is enough and avoids
  // depending on the distribution's avahi policy file.
  writeFileSync(
    dbusConfig,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <pidfile>${dbusPidFile}</pidfile>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
`,
  );
  // Own host name (the UTS namespace is shared, so every daemon would otherwise claim the
  // machine's name and rename itself), only our interfaces, no workstation/HINFO chatter.
  writeFileSync(
    avahiConfig,
    `[server]
host-name=${hostName}
domain-name=local
use-ipv4=yes
use-ipv6=yes
allow-interfaces=${interfaces.join(',')}
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-addresses=yes
publish-hinfo=no
publish-workstation=no
publish-domain=no
[reflector]
enable-reflector=${options.reflector ? 'yes' : 'no'}
`,
  );
  return { dir, busAddress: `unix:path=${socket}`, dbusConfig, avahiConfig, dbusPidFile };
}

/** argv (to run inside the host's namespace) that starts a private bus, then avahi-daemon in the
 * foreground. `ip netns exec` gives a private mount namespace but shares /run with the machine;
 * the extra `unshare --mount` lets us put a fresh tmpfs on /run (avahi insists on
 * /run/avahi-daemon/pid) and hide /etc/avahi/services (static services would add traffic). */
export function avahiDaemonArgv(files: AvahiFiles): string[] {
  const script = [
    'set -e',
    'mount -t tmpfs lct-run /run',
    'mkdir -p /run/avahi-daemon',
    `[ ! -d /etc/avahi/services ] || mount --bind '${join(files.dir, 'services')}' /etc/avahi/services`,
    // --fork returns once the bus socket accepts connections, so avahi never races it.
    `dbus-daemon --config-file='${files.dbusConfig}' --fork`,
    'exec avahi-daemon --no-drop-root --no-chroot --no-rlimits --no-proc-title',
  ].join('\n');
  return [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    `${script} -f '${files.avahiConfig}'`,
  ];
}

/** avahi-browse -p escapes names: `\.` `\\` and `\DDD` (decimal byte). */
export function unescapeAvahi(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && /^\d{3}$/.test(text.slice(i + 1, i + 4))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 4), 10));
      i += 3;
    } else if (ch === '\\' && i + 1 < text.length) {
      bytes.push(...Buffer.from(text[i + 1]!, 'utf8'));
      i += 1;
    } else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** TXT as avahi-browse prints it: `"a=1" "b=2"` (quotes inside are backslash-escaped). */
export function parseAvahiTxt(field: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(field); m !== null; m = re.exec(field)) out.push(m[1]!.replace(/\\(.)/g, '$1'));
  return out;
}

export function parseAvahiBrowseLine(line: string): AvahiBrowseEvent | undefined {
  const op = line[0];
  if (op !== '+' && op !== '-' && op !== '=') return undefined;
  // Fields are ';'-separated; TXT (the last) may itself contain ';', so split only the first 9.
  const parts = line.split(';');
  const [, iface = '', protocol = '', name = '', type = '', domain = ''] = parts;
  const event: AvahiBrowseEvent = { op, iface, protocol, name: unescapeAvahi(name), type, domain };
  if (op === '=') {
    event.hostName = parts[6] ?? '';
    event.address = parts[7] ?? '';
    event.port = Number(parts[8]);
    event.txt = parseAvahiTxt(parts.slice(9).join(';'));
  }
  return event;
}
