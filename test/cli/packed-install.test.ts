// lanchat as a user installs it: `npm pack`, then `npm install -g` of the tarball into an empty
// prefix, then the installed `lanchat` with no source tree, TypeScript or dev dependency in reach.
// Dependencies come from npm's local cache when they are there (`npm ci` put them there), else
// from the registry. The DM between two installed nodes needs network namespaces (root).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseId } from '../../src/identity/ids.js';
import { createNetwork, type Network, netnsAvailable } from '../netns/harness.js';
import type { HeadlessNode } from '../netns/headless-node.js';
import { meet } from '../netns/headless-node.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const netns = netnsAvailable();
const INSTALL_TIMEOUT_MS = 180_000;

let root: string;
let tarball: string;
let lanchat: string; // <prefix>/bin/lanchat, the symlink npm made
// The installed command finds `node` through its #! line: this test's Node comes first.
const env = (): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  };
  delete e.LANCHAT_PROFILE;
  delete e.LANCHAT_NETWORK;
  return e;
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lanchat-packed-'));
  // --ignore-scripts: `npm pack` would run prepare (the build) and rewrite dist/ while other test
  // files start nodes from it; the global setup built the same dist/ before any file ran.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
    cwd: repo,
    env: env(),
  });
  const [info] = JSON.parse(packed.stdout) as { filename: string }[];
  tarball = join(root, info!.filename);
  const prefix = join(root, 'prefix');
  await run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { cwd: root, env: env() },
  );
  lanchat = join(prefix, 'bin/lanchat');
}, INSTALL_TIMEOUT_MS);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the npm package', () => {
  it('holds the launcher, the bundle and the README, not sources, tests or per-file output', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout.trim().split('\n').sort();
    expect(files).toContain('package/bin/lanchat.js');
    expect(files).toContain('package/dist/bundle/main.js');
    expect(files).toContain('package/README.md');
    const outside = files.filter(
      (f) => !/^package\/(bin\/lanchat\.js|dist\/bundle\/.+\.js|README\.md|package\.json)$/.test(f),
    );
    expect(outside).toEqual([]);
  });

  it('installs without TypeScript or dev dependencies and without a build', () => {
    const installed = join(root, 'prefix/lib/node_modules/lanchat');
    expect(existsSync(join(installed, 'dist/bundle/main.js'))).toBe(true);
    const deps = readdirSync(join(installed, 'node_modules'));
    expect(deps).toContain('better-sqlite3');
    for (const dev of ['typescript', 'esbuild', 'tsx', 'vitest']) expect(deps).not.toContain(dev);
    expect(existsSync(join(installed, 'src'))).toBe(false);
  });

  it('`lanchat --help` and `lanchat id --json` work from the installed command', async () => {
    const help = await run(lanchat, ['--help'], { cwd: root, env: env() });
    expect(help.stdout).toMatch(/^lanchat: serverless peer-to-peer messenger/);
    const profile = join(root, 'profile-id');
    const id = await run(lanchat, ['id', '--json', '--profile', profile], { cwd: root, env: env() });
    expect(id.stderr).toContain('created a new identity');
    expect(parseId(JSON.parse(id.stdout).id)).toBeDefined();
  });
});

describe.skipIf(!netns.ok)('two installed headless nodes in network namespaces', () => {
  let network: Network;
  const nodes: HeadlessNode[] = [];
  beforeAll(async () => {
    network = await createNetwork({ hosts: 2 });
  });
  afterAll(async () => {
    for (const n of nodes) n.process.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.process.exited));
    await network?.destroy();
  });

  it('find each other over mDNS and deliver a DM', async () => {
    for (const [i, nick] of ['alice', 'bob'].entries()) {
      const host = network.hosts[i]!;
      const profile = join(network.dir, `installed-${nick}`);
      mkdirSync(profile, { mode: 0o700 });
      const argv = [lanchat, '--headless', '--json', '--nick', nick, '--profile', profile];
      const proc = network.spawn(host, argv, {
        cwd: root,
        env: { PATH: env().PATH, LANCHAT_PROFILE: undefined, LANCHAT_NETWORK: undefined },
        label: `installed ${nick}`,
      });
      nodes.push({
        host,
        profile,
        process: proc,
        async id() {
          const ready = await proc.waitFor((e) => e.type === 'ready', 15_000, { what: 'ready' });
          return String(ready.id);
        },
      });
    }
    const [alice, bob] = nodes as [HeadlessNode, HeadlessNode];
    const [, bobId] = await meet(nodes, 20_000);
    alice.process.send('/msg bob from an installed lanchat');
    const dm = await bob.process.waitFor(
      (e) => e.type === 'message' && e.text === 'from an installed lanchat',
      10_000,
    );
    expect(dm).toMatchObject({ from: { nick: 'alice' }, to: { id: bobId } });
    await alice.process.waitFor((e) => e.type === 'delivered' && e.id === dm.id, 10_000);
  });
});
