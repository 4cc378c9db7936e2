// End to end: two lanchat UIs in two network namespaces, each in its own tmux session (private
// socket per test), driven with send-keys and read with capture-pane. Polls with deadlines.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, type Network, netnsAvailable, REPO_ROOT } from '../netns/harness.js';
import { startHeadless } from '../netns/headless-node.js';

function tmuxMissing(): string | undefined {
  try {
    execFileSync('tmux', ['-V']);
    return undefined;
  } catch {
    return 'tmux is not installed';
  }
}

const netns = netnsAvailable();
const skipReason = !netns.ok ? netns.reason : tmuxMissing();
if (skipReason) console.log(`skipping tmux end-to-end tests: ${skipReason}`);

const socket = `lanchat-ui-${process.pid}`;
const env = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', LANCHAT_NETWORK: '', LANCHAT_PROFILE: '' };
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', socket, '-u', ...args], { env, encoding: 'utf8' });

function capture(session: string): string {
  return tmux('capture-pane', '-p', '-t', session);
}

async function waitForPane(
  session: string,
  what: (text: string) => boolean,
  label: string,
  ms = 15_000,
): Promise<string> {
  const deadline = Date.now() + ms;
  let text = '';
  while (Date.now() < deadline) {
    text = capture(session);
    if (what(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${session}: never saw ${label}; screen:\n${text}`);
}

function typeLine(session: string, text: string): void {
  tmux('send-keys', '-t', session, '-l', text);
  tmux('send-keys', '-t', session, 'Enter');
}

describe.skipIf(skipReason !== undefined)('two terminal UIs over real mDNS (tmux)', () => {
  let network: Network;

  beforeAll(async () => {
    network = await createNetwork({ hosts: 3 });
    for (const [session, host, nick] of [
      ['alice', 'h1', 'alice'],
      ['bob', 'h2', 'bob'],
    ] as const) {
      const profile = join(network.dir, `ui-${nick}`);
      mkdirSync(profile, { recursive: true, mode: 0o700 });
      const ns = network.host(host).netns;
      // The pane outlives lanchat so the test can look at the restored terminal.
      const cache = network.cacheDir(host); // the host's own, as network.spawn gives it
      const cmd = `cd ${REPO_ROOT} && env -u NODE_COMPILE_CACHE XDG_CACHE_HOME=${cache} ip netns exec ${ns} node bin/lanchat.js --nick ${nick} --profile ${profile}; echo lanchat-exited-$?; sleep 60`;
      tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', cmd);
    }
  }, 60_000);

  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {}
    await network?.destroy();
  });

  it('they discover each other and chat in #general with CJK and emoji', async () => {
    await waitForPane('alice', (t) => t.includes('bob is online'), 'bob online');
    await waitForPane('bob', (t) => t.includes('alice is online'), 'alice online');
    typeLine('alice', '你好，世界 🎉 hello bob');
    const bob = await waitForPane('bob', (t) => t.includes('你好，世界 🎉 hello bob'), 'the CJK message');
    expect(bob).toMatch(/│ +alice │ 你好，世界 🎉 hello bob/);
    await waitForPane('alice', (t) => t.includes('hello bob ✓✓'), 'the delivered mark');
  }, 40_000);

  it('they exchange direct messages, which open a buffer with unread count', async () => {
    typeLine('bob', '/msg alice 秘密 😀');
    const alice = await waitForPane('alice', (t) => /3\.bob +1/.test(t), 'the DM buffer with 1 unread');
    expect(alice).toContain('[act: 3:bob(1)]');
    tmux('send-keys', '-t', 'alice', 'M-3');
    await waitForPane('alice', (t) => /│ +bob │ 秘密 😀/.test(t), 'the DM text');
    typeLine('alice', 'got it');
    // Bob is looking at #general: the reply lights up his buffer list and activity list.
    await waitForPane(
      'bob',
      (t) => /3\.alice +1/.test(t) && t.includes('[act: 3:alice(1)]'),
      'the reply as activity',
    );
    tmux('send-keys', '-t', 'bob', 'M-a');
    await waitForPane('bob', (t) => /│ +alice │ got it/.test(t), 'the reply after Alt+A');
  }, 40_000);

  it('sends a file: the offer on the other screen, /accept, a verified copy', async () => {
    const source = join(network.dir, '报告.bin');
    const data = randomBytes(8 * 1024 * 1024);
    writeFileSync(source, data);
    const inbox = join(network.dir, 'inbox');
    typeLine('alice', `/send bob ${source}`);
    // Both look at their DM buffer with the other: the offer and the results land there.
    const offer = await waitForPane(
      'bob',
      (t) => /offers 报告\.bin/.test(t) && /\/reject \S+/.test(t),
      'the offer',
    );
    const id = /\/reject ([A-Za-z0-9_-]+)/.exec(offer)?.[1];
    expect(id).toBeDefined();
    typeLine('bob', `/accept ${id} ${inbox}`);
    // (The UI wraps its own lines: match phrases that stay on one line at 80 columns.)
    await waitForPane(
      'bob',
      (t) => t.includes('received 报告.bin') && t.includes('SHA-256'),
      'the verified copy',
    );
    await waitForPane(
      'alice',
      (t) => t.includes('bob received 报告.bin') && t.includes('SHA-256'),
      'the sender told',
    );
    expect(readFileSync(join(inbox, '报告.bin')).equals(data)).toBe(true);
  }, 60_000);

  it("shows a hostile peer's escape sequences inert", async () => {
    tmux('send-keys', '-t', 'alice', 'M-2');
    const mallory = startHeadless(network, 'h3', { nick: 'mallory' });
    await mallory.id();
    await waitForPane('alice', (t) => t.includes('mallory'), 'mallory online', 20_000);
    mallory.process.send('evil\x1b]0;pwned\x07 one\x1b[2J two \u202eowt');
    const alice = await waitForPane('alice', (t) => t.includes('evil'), 'the hostile line', 20_000);
    expect(alice).toContain('evil one two owt');
    const title = tmux('display-message', '-p', '-t', 'alice', '#{pane_title}');
    expect(title).not.toContain('pwned');
    // The screen was not cleared: the earlier lines are still there.
    expect(alice).toContain('mallory');
  }, 60_000);

  it('quits cleanly on /quit and restores the terminal', async () => {
    typeLine('bob', '/quit');
    await waitForPane('alice', (t) => t.includes('bob is offline'), 'bob offline (goodbye)');
    const bob = await waitForPane('bob', (t) => t.includes('lanchat-exited-'), 'the shell after exit');
    expect(bob).toContain('lanchat-exited-0');
    expect(tmux('display-message', '-p', '-t', 'bob', '#{alternate_on}').trim()).toBe('0');
  }, 30_000);
});
