import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import {
  COMMON_OPTIONS_USAGE,
  DEFAULT_PORT,
  defaultNick,
  parseCommonOptions,
  parsePeerAddress,
  resolveNodeConfig,
} from '../../src/cli/common-options.js';
import { UsageError } from '../../src/cli/errors.js';
import { DEFAULT_NETWORK_KEY, networkKeyFromPassphrase, networkTag } from '../../src/crypto/network-key.js';
import { base64Of, idOf } from '../../src/identity/ids.js';

const key = nacl.sign.keyPair().publicKey;
const id = idOf(key);

function usageError(argv: string[]): string {
  try {
    parseCommonOptions(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`);
}

describe('parseCommonOptions: happy paths', () => {
  it('gives defaults for an empty command line', () => {
    expect(parseCommonOptions([])).toEqual({
      options: {
        nick: undefined,
        profile: undefined,
        port: DEFAULT_PORT,
        network: undefined,
        networkFile: undefined,
        networkPrompt: false,
        interfaces: [],
        peers: [],
        dnsSdDomains: [],
        dnsServers: [],
        json: false,
        headless: false,
        notify: true,
        downloadDir: undefined,
        autoAcceptVerified: false,
        maxFileSize: undefined,
        awayAfterMinutes: 10,
        catchupDays: 7,
        catchupMax: 1000,
        readReceipts: true,
        maxPeers: 1024,
        maxPeersPerAddress: 16,
        maxPeerRate: 2000,
        maxHistorySize: 2 * 1024 ** 3,
        maxDownloading: 16 * 1024 ** 3,
        hold: true,
        peerExchange: true,
        help: false,
      },
      positionals: [],
    });
  });

  it('takes the presence and catch-up settings, and refuses nonsense', () => {
    const { options } = parseCommonOptions([
      '--away-after',
      '0',
      '--catchup-days=2',
      '--catchup-max',
      '50',
      '--no-read-receipts',
      '--no-hold',
    ]);
    expect(options).toMatchObject({
      awayAfterMinutes: 0,
      catchupDays: 2,
      catchupMax: 50,
      readReceipts: false,
      hold: false,
    });
    for (const bad of [
      ['--away-after', '-1'],
      ['--catchup-days', 'x'],
      ['--catchup-max', '1.5'],
    ]) {
      expect(() => parseCommonOptions(bad)).toThrow(/whole number/);
    }
  });

  it('takes the peer caps and the peer rate, and refuses nonsense', () => {
    const { options } = parseCommonOptions(['--max-peers', '200', '--max-peers-per-address=4']);
    expect(options).toMatchObject({ maxPeers: 200, maxPeersPerAddress: 4 });
    expect(resolveNodeConfig(options, { env: {}, home: '/h', username: () => 'u' }).peerCaps).toEqual({
      total: 200,
      perAddress: 4,
    });
    expect(() => parseCommonOptions(['--max-peers', '0'])).toThrow(/at least 1/);
    const ctx = { env: {}, home: '/h', username: () => 'u' };
    const rate = (argv: string[]) => resolveNodeConfig(parseCommonOptions(argv).options, ctx).inboundRate;
    expect(rate([])).toEqual({ perSecond: 2000, burst: 50_000 });
    expect(rate(['--max-peer-rate', '50'])).toEqual({ perSecond: 50, burst: 1250 });
    expect(rate(['--max-peer-rate', '0'])).toBeNull();
    const history = (argv: string[]) =>
      resolveNodeConfig(parseCommonOptions(argv).options, ctx).maxHistoryBytes;
    expect(history(['--max-history-size', '500M'])).toBe(500 * 1024 ** 2);
    expect(history(['--max-history-size=0'])).toBeNull();
    expect(() => parseCommonOptions(['--max-history-size', 'lots'])).toThrow(/expects a size/);
    expect(
      resolveNodeConfig(parseCommonOptions(['--max-downloading', '4G']).options, ctx).maxDownloadingBytes,
    ).toBe(4 * 1024 ** 3);
    expect(() => parseCommonOptions(['--max-peers-per-address', 'many'])).toThrow(/whole number/);
  });

  it('parses every flag, in both --flag value and --flag=value forms', () => {
    const { options, positionals } = parseCommonOptions([
      '--nick',
      '  Alice ',
      '--profile=/tmp/p',
      '--port',
      '65535',
      '--network',
      'correct horse battery staple',
      '--interface',
      'eth0',
      '--interface=wlan0',
      '--peer',
      `${id}@192.168.1.20`,
      `--peer=${base64Of(key)}@alice-laptop.local:7000`,
      '--json',
      '--headless',
      '-h',
      'extra',
    ]);
    expect(options).toMatchObject({
      nick: 'Alice',
      profile: '/tmp/p',
      port: 65535,
      network: 'correct horse battery staple',
      interfaces: ['eth0', 'wlan0'],
      json: true,
      headless: true,
      help: true,
    });
    expect(options.peers).toEqual([
      { publicKey: key, host: '192.168.1.20', port: DEFAULT_PORT },
      { publicKey: key, host: 'alice-laptop.local', port: 7000 },
    ]);
    expect(positionals).toEqual(['extra']);
  });

  it('accepts port 1', () => expect(parseCommonOptions(['--port', '1']).options.port).toBe(1));
});

it('takes --dns-sd-domain and --dns-server (repeatable)', () => {
  const { options } = parseCommonOptions([
    '--dns-sd-domain',
    'corp.example.',
    '--dns-sd-domain=lab.corp.example',
    '--dns-server',
    '10.0.0.53',
    '--dns-server',
    '[fd00::53]:5353',
    '--dns-server',
    '10.0.0.54:5300',
  ]);
  expect(options.dnsSdDomains).toEqual(['corp.example', 'lab.corp.example']);
  expect(options.dnsServers).toEqual(['10.0.0.53', '[fd00::53]:5353', '10.0.0.54:5300']);
});

describe('parsePeerAddress', () => {
  const good: Array<[string, string, number]> = [
    [`${id}@10.0.0.1:7475`, '10.0.0.1', 7475],
    [`${id}@10.0.0.1`, '10.0.0.1', DEFAULT_PORT],
    [`${id}@host`, 'host', DEFAULT_PORT],
    [`${id}@host.example.`, 'host.example.', DEFAULT_PORT],
    [`${id}@[fe80::1%eth0]:7475`, 'fe80::1%eth0', 7475],
    [`${id}@[::1]`, '::1', DEFAULT_PORT],
    [`${id}@[2001:db8::42]:1`, '2001:db8::42', 1],
  ];
  for (const [text, host, port] of good) {
    it(`parses ${text.slice(44)}`, () => {
      expect(parsePeerAddress(text)).toEqual({ publicKey: key, host, port });
    });
  }

  const bad: Array<[string, RegExp]> = [
    ['10.0.0.1', /missing '@'/],
    [`${id.slice(1)}@10.0.0.1`, /not a valid lanchat id/],
    [`@10.0.0.1`, /not a valid lanchat id/],
    [`${id}@`, /host is empty/],
    [`${id}@:7475`, /host is empty/],
    [`${id}@fe80::1`, /IPv6 address in brackets/],
    [`${id}@[fe80::1`, /missing '\]'/],
    [`${id}@[nothost]:1`, /not an IPv6 address/],
    [`${id}@[::1]7475`, /unexpected '7475'/],
    [`${id}@10.0.0.1:0`, /port '0'/],
    [`${id}@10.0.0.1:65536`, /port '65536'/],
    [`${id}@10.0.0.1:`, /port ''/],
    [`${id}@10.0.0.1:http`, /port 'http'/],
    [`${id}@10.1.2`, /not an IPv4 address or a host name/],
    [`${id}@999.1.1.1`, /not an IPv4 address or a host name/],
    [`${id}@bad_host`, /not an IPv4 address or a host name/],
    [`${id}@-bad`, /not an IPv4 address or a host name/],
    [`${id}@a..b`, /not an IPv4 address or a host name/],
    [`${id}@${'a'.repeat(64)}`, /not an IPv4 address or a host name/],
  ];
  for (const [text, problem] of bad) {
    it(`rejects ${text.replace(id, 'ID')}`, () => {
      const message = usageError(['--peer', text]);
      expect(message).toMatch(problem);
      // Every --peer error names the flag and shows the expected form.
      expect(message).toContain('--peer');
      expect(message).toContain('KEY@HOST[:PORT]');
    });
  }
});

describe('parseCommonOptions: errors name the flag and the expected form', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--bogus'], /unknown option '--bogus'/],
    [['--prot', '1'], /unknown option '--prot' \(did you mean --port\?\)/],
    [['-x'], /unknown option '-x'/],
    [['--port'], /--port <value>' argument missing/],
    [['--port', '0'], /--port expects a port number from 1 to 65535, e\.g\. --port 7475/],
    [['--port', '65536'], /--port expects a port number/],
    [['--port', '12ab'], /--port expects a port number/],
    [['--port', '-1'], /--port/],
    [['--port', ' 80'], /--port expects a port number/],
    [['--port', '1', '--port', '2'], /--port was given more than once/],
    [['--nick', ''], /--nick: a nick must not be empty; expected e\.g\. --nick alice/],
    [['--nick', 'x'.repeat(33)], /--nick: a nick has at most 32 characters/],
    [['--nick', 'a\u001bb'], /--nick: a nick must not contain control characters/],
    [['--profile', ''], /--profile must not be empty; expected --profile DIR/],
    [['--network', ''], /--network must not be empty; expected --network CODE/],
    [['--network-file', ''], /--network-file must not be empty; expected --network-file PATH/],
    [['--network', 'x', '--network-file', '/f'], /give the network one way/],
    [['--network-file', '/f', '--network-prompt'], /give the network one way/],
    [['--interface', ''], /--interface '' is not an interface name; expected e\.g\. --interface eth0/],
    [['--interface', 'eth 0'], /--interface/],
    [['--json=yes'], /--json' does not take an argument/],
    [['--headless=1'], /--headless' does not take an argument/],
    [['--peer'], /--peer <value>' argument missing/],
    [['--dns-sd-domain', 'corp..example'], /--dns-sd-domain 'corp\.\.example' is not a domain name/],
    [['--dns-sd-domain', '-x.example'], /expected e\.g\. --dns-sd-domain corp\.example/],
    [['--dns-server', 'dns.corp.example'], /--dns-server 'dns\.corp\.example' is not an IP address/],
    [['--dns-server', '10.0.0.1:0'], /--dns-server/],
    [['--dns-server', '10.0.0.999'], /--dns-server/],
    [['--dns-server', 'fd00::53:53:53:53:53:53:53'], /--dns-server/],
  ];
  for (const [argv, expected] of cases) {
    it(JSON.stringify(argv), () => expect(usageError(argv)).toMatch(expected));
  }
});

describe('resolveNodeConfig', () => {
  const options = (argv: string[]) => parseCommonOptions(argv).options;

  it('uses the public network, the login name and the XDG profile by default', () => {
    const config = resolveNodeConfig(options([]), {
      env: { XDG_CONFIG_HOME: '/xdg' },
      home: '/home/u',
      username: () => 'carol',
    });
    expect(config).toMatchObject({
      profileDir: '/xdg/lanchat',
      nick: 'carol',
      port: DEFAULT_PORT,
      defaultNetwork: true,
      weakPassphrase: false,
      networkTag: networkTag(DEFAULT_NETWORK_KEY),
    });
    expect(config.networkKey).toEqual(DEFAULT_NETWORK_KEY);
  });

  it('derives the key from --network, which beats LANCHAT_NETWORK', () => {
    const config = resolveNodeConfig(options(['--network', 'flag words that are long enough']), {
      env: { LANCHAT_NETWORK: 'env' },
    });
    expect(config.networkKey).toEqual(networkKeyFromPassphrase('flag words that are long enough'));
    expect(config.defaultNetwork).toBe(false);
    expect(config.weakPassphrase).toBe(false);
  });

  it('falls back to LANCHAT_NETWORK and flags a weak passphrase; empty means unset', () => {
    const config = resolveNodeConfig(options([]), { env: { LANCHAT_NETWORK: 'office' } });
    expect(config.networkKey).toEqual(networkKeyFromPassphrase('office'));
    expect(config.weakPassphrase).toBe(true);
    expect(resolveNodeConfig(options([]), { env: { LANCHAT_NETWORK: '' } }).defaultNetwork).toBe(true);
  });

  it('prefers --nick and --profile', () => {
    const config = resolveNodeConfig(options(['--nick', 'dave', '--profile', '/p']), {
      env: { LANCHAT_PROFILE: '/env' },
      username: () => 'carol',
    });
    expect(config.nick).toBe('dave');
    expect(config.profileDir).toBe('/p');
  });

  it('falls back to anon when the login name is unusable or unknown', () => {
    expect(defaultNick(() => 'x'.repeat(40))).toBe('anon');
    expect(defaultNick(() => '')).toBe('anon');
    expect(
      defaultNick(() => {
        throw new Error('no passwd entry');
      }),
    ).toBe('anon');
    expect(defaultNick(() => 'erin')).toBe('erin');
  });
});

it('documents every common flag', () => {
  for (const flag of [
    '--nick',
    '--profile',
    '--port',
    '--network',
    '--network-file',
    '--network-prompt',
    '--interface',
    '--peer',
    '--json',
    '--headless',
    '--help',
  ]) {
    expect(COMMON_OPTIONS_USAGE).toContain(flag);
  }
});

describe('ids that start with a dash (base64url)', () => {
  it('are taken as the value of --peer in both forms', () => {
    // Find a key whose id starts with '-': parseArgs would call `--peer -…` ambiguous.
    let dashKey = nacl.sign.keyPair().publicKey;
    while (!idOf(dashKey).startsWith('-')) dashKey = nacl.sign.keyPair().publicKey;
    const dashId = idOf(dashKey);
    for (const argv of [['--peer', `${dashId}@10.0.0.7:7000`], [`--peer=${dashId}@10.0.0.7:7000`]]) {
      const { options } = parseCommonOptions(argv);
      expect(options.peers).toEqual([{ publicKey: dashKey, host: '10.0.0.7', port: 7000 }]);
    }
    // A flag right after a value-taking flag is still a missing value, not swallowed.
    expect(() => parseCommonOptions(['--nick', '--json'])).toThrow(UsageError);
  });
});
