// `lanchat send` / `lanchat peers` as real processes, for the cases that end before any node
// starts (no mDNS may run in the root namespace; the rest is in test/netns/send.netns.test.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lanchat-send-bin-'));
  // Built by the global setup (test/support/build-once.ts): bin/lanchat.js runs the bundle.
  expect(existsSync(join(repo, 'dist/bundle/main.js'))).toBe(true);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function lanchat(
  args: string[],
  stdin: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LANCHAT_PROFILE: join(root, 'profile') };
  delete env.LANCHAT_NETWORK;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repo, 'bin/lanchat.js'), ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdin.on('error', () => {}); // EPIPE when it refuses early, which is the point
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

it('send --help prints the usage and exits 0', async () => {
  const r = await lanchat(['send', '--help'], '');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Usage: lanchat send \(--to NICK \| --room '#ROOM'\)/);
  expect(r.stdout).toMatch(/75 {2}queued but not delivered/);
});

it('peers --help prints the usage and exits 0', async () => {
  const r = await lanchat(['peers', '--help'], '');
  expect(r).toMatchObject({ code: 0 });
  expect(r.stdout).toMatch(/^Usage: lanchat peers \[--wait S\] \[--json\]/);
});

it('send without a recipient exits 2 with a pointer to --help', async () => {
  const r = await lanchat(['send', 'hello'], '');
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(
    "lanchat send: give exactly one of --to NICK and --room #ROOM\nRun 'lanchat send --help' for usage.\n",
  );
});

it('send with an empty stdin exits 1, --json puts the error on stdout', async () => {
  const r = await lanchat(['send', '--to', 'bob', '--json'], '\n');
  expect(r.code).toBe(1);
  expect(JSON.parse(r.stdout)).toMatchObject({ type: 'error', code: 'empty-message' });
});

it('send with more than 16 KiB on stdin exits 1', async () => {
  const r = await lanchat(['send', '--to', 'bob'], 'é'.repeat(9000));
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/longer than 16 KiB/);
});
