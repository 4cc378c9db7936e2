// `lanchat discover` paths that need no network: usage and a fatal --interface error as JSON.
// (The command on real sockets is exercised in network namespaces, test/netns.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/discover-command.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      env: {},
      stdin: Readable.from([]),
    },
  };
}

describe('lanchat discover', () => {
  it('--help prints usage and exits 0', async () => {
    const t = io();
    expect(await run(['--help'], t.io)).toBe(0);
    expect(t.out.join('')).toMatch(/Usage: lanchat discover/);
  });

  it('an unknown --interface is a JSON error line on stdout and exit 1, before any socket opens', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'lanchat-discover-'));
    dirs.push(profile);
    const t = io();
    const code = await run(['--json', '--profile', profile, '--nick', 'x', '--interface', 'nosuchif9'], t.io);
    expect(code).toBe(1);
    const lines = t.out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ type: 'error', code: 'no-such-interface' })]);
  });

  it('a usage error in --json mode is also one JSON line (exit 2)', async () => {
    const t = io();
    expect(await run(['--json', '--port', 'nope'], t.io)).toBe(2);
    expect(JSON.parse(t.out.join(''))).toMatchObject({ type: 'error', code: 'usage' });
  });
});
