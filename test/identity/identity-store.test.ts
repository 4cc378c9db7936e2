import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityError } from '../../src/identity/identity-error.js';
import { encodeIdentityFile } from '../../src/identity/identity-file.js';
import { identityPath, loadOrCreateIdentity, openIdentity } from '../../src/identity/identity-store.js';

let root: string;
let profile: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lanchat-identity-'));
  profile = join(root, 'profile');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function rejection(promise: Promise<unknown>): Promise<IdentityError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IdentityError);
  return err as IdentityError;
}

function writeKeyFile(content: string | Buffer, mode = 0o600): string {
  mkdirSync(profile, { mode: 0o700 });
  const path = identityPath(profile);
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return path;
}

describe('first run', () => {
  it('creates a 0700 profile and a 0600 key file even with a permissive umask', async () => {
    const previous = process.umask(0);
    try {
      const opened = await openIdentity(join(profile, 'nested'));
      expect(opened.created).toBe(true);
      expect(statSync(opened.path).mode & 0o777).toBe(0o600);
      expect(statSync(join(profile, 'nested')).mode & 0o777).toBe(0o700);
    } finally {
      process.umask(previous);
    }
  });

  it('creates a valid Ed25519 key pair in the documented JSON format', async () => {
    const identity = await loadOrCreateIdentity(profile);
    expect(identity.publicKey).toHaveLength(32);
    expect(identity.secretKey).toHaveLength(64);
    const message = new TextEncoder().encode('hello');
    const signature = nacl.sign.detached(message, identity.secretKey);
    expect(nacl.sign.detached.verify(message, signature, identity.publicKey)).toBe(true);
    const file = JSON.parse(readFileSync(identityPath(profile), 'utf8'));
    expect(file).toEqual({
      version: 1,
      type: 'ed25519',
      publicKey: Buffer.from(identity.publicKey).toString('base64'),
      secretKey: Buffer.from(identity.secretKey).toString('base64'),
    });
    // The temp file used for the atomic create is gone.
    expect(readdirSync(profile)).toEqual(['identity.json']);
  });

  it('loads the same key on the second run and does not rewrite the file', async () => {
    const first = await openIdentity(profile);
    const before = readFileSync(first.path);
    const second = await openIdentity(profile);
    expect(second.created).toBe(false);
    expect(Buffer.from(second.identity.secretKey)).toEqual(Buffer.from(first.identity.secretKey));
    expect(readFileSync(first.path)).toEqual(before);
  });

  it('yields one identity when two openers race in one process', async () => {
    const results = await Promise.all([openIdentity(profile), openIdentity(profile), openIdentity(profile)]);
    const keys = new Set(results.map((r) => Buffer.from(r.identity.publicKey).toString('hex')));
    expect(keys.size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(readdirSync(profile)).toEqual(['identity.json']);
  });

  it('yields one identity when several processes start at the same moment', async () => {
    const script = join(root, 'open.mts');
    const storeUrl = new URL('../../src/identity/identity-store.ts', import.meta.url).href;
    // Each child loads the module first, then waits for a common instant, so the opens overlap.
    writeFileSync(
      script,
      `import { openIdentity } from ${JSON.stringify(storeUrl)};
       const at = Number(process.argv[3]);
       while (Date.now() < at) {}
       const r = await openIdentity(process.argv[2]);
       console.log(JSON.stringify({ key: Buffer.from(r.identity.publicKey).toString('hex'), created: r.created }));`,
    );
    const at = Date.now() + 3000;
    const { spawn } = await import('node:child_process');
    const runs = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, profile, String(at)], {
        cwd: new URL('../..', import.meta.url).pathname,
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      return new Promise<{ key: string; created: boolean }>((resolve, reject) =>
        child.on('close', (code) =>
          code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}: ${err}`)),
        ),
      );
    });
    const results = await Promise.all(runs);
    expect(new Set(results.map((r) => r.key)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(readdirSync(profile)).toEqual(['identity.json']);
  });
});

describe('refuses an insecure key file', () => {
  for (const mode of [0o640, 0o604, 0o660, 0o644, 0o666]) {
    it(`mode ${mode.toString(8)}: refused with the chmod hint, file untouched`, async () => {
      const valid = encodeIdentityFile(nacl.sign.keyPair());
      const path = writeKeyFile(valid, mode);
      const err = await rejection(loadOrCreateIdentity(profile));
      expect(err.code).toBe('insecure-permissions');
      expect(err.path).toBe(path);
      expect(err.message).toContain(`chmod 600 ${path}`);
      expect(readFileSync(path, 'utf8')).toBe(valid);
      expect(statSync(path).mode & 0o777).toBe(mode);
    });
  }

  it('accepts 0400 (read-only for the owner)', async () => {
    const pair = nacl.sign.keyPair();
    writeKeyFile(encodeIdentityFile(pair), 0o400);
    const identity = await loadOrCreateIdentity(profile);
    expect(Buffer.from(identity.publicKey)).toEqual(Buffer.from(pair.publicKey));
  });

  for (const [mode, who] of [
    [0o777, 'other users'],
    [0o702, 'other users'],
    [0o770, 'its group'],
    [0o720, 'its group'],
  ] as const) {
    it(`refuses a profile directory of mode ${mode.toString(8)} (writable by ${who})`, async () => {
      mkdirSync(profile);
      chmodSync(profile, mode);
      const err = await rejection(loadOrCreateIdentity(profile));
      expect(err.code).toBe('insecure-permissions');
      expect(err.message).toContain(`writable by ${who}`);
      expect(err.message).toContain(`chmod 700 ${profile}`);
      expect(readdirSync(profile)).toEqual([]);
    });
  }

  it('accepts a profile directory that others may only read and enter (0755)', async () => {
    mkdirSync(profile);
    chmodSync(profile, 0o755);
    await loadOrCreateIdentity(profile);
    expect(readdirSync(profile)).toEqual(['identity.json']);
  });

  it.runIf(process.getuid?.() === 0)('refuses a profile directory owned by another user', async () => {
    mkdirSync(profile, { mode: 0o700 });
    chownSync(profile, 4242, 4242);
    const err = await rejection(loadOrCreateIdentity(profile));
    expect(err.code).toBe('insecure-permissions');
    expect(err.message).toMatch(/belongs to another user \(uid 4242\).*chown/);
  });

  it.runIf(process.getuid?.() === 0)('refuses a key file owned by another user', async () => {
    const path = writeKeyFile(encodeIdentityFile(nacl.sign.keyPair()));
    chownSync(path, 4242, 4242);
    const err = await rejection(loadOrCreateIdentity(profile));
    expect(err.code).toBe('insecure-permissions');
    expect(err.message).toContain('uid 4242');
  });
});

describe('refuses a corrupt key file and leaves it untouched', () => {
  const pair = nacl.sign.keyPair();
  const other = nacl.sign.keyPair();
  const good = encodeIdentityFile(pair);
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const cases: Record<string, string | Buffer> = {
    'truncated JSON': good.slice(0, good.length / 2),
    empty: '',
    'binary junk': Buffer.from([0xff, 0x00, 0x13, 0x37]),
    'not an object': '[1,2,3]',
    'wrong version': good.replace('"version": 1', '"version": 2'),
    'wrong type': good.replace('"ed25519"', '"rsa"'),
    'short public key': JSON.stringify({
      version: 1,
      type: 'ed25519',
      publicKey: b64(pair.publicKey.subarray(1)),
      secretKey: b64(pair.secretKey),
    }),
    'short secret key': JSON.stringify({
      version: 1,
      type: 'ed25519',
      publicKey: b64(pair.publicKey),
      secretKey: b64(pair.secretKey.subarray(0, 32)),
    }),
    'mismatched public key': JSON.stringify({
      version: 1,
      type: 'ed25519',
      publicKey: b64(other.publicKey),
      secretKey: b64(pair.secretKey),
    }),
    'secret key tail disagrees': JSON.stringify({
      version: 1,
      type: 'ed25519',
      publicKey: b64(pair.publicKey),
      secretKey: b64(new Uint8Array([...pair.secretKey.subarray(0, 32), ...other.publicKey])),
    }),
    // Public key and secret-key tail agree; only deriving the seed's public key shows they lie.
    'seed of another key': JSON.stringify({
      version: 1,
      type: 'ed25519',
      publicKey: b64(other.publicKey),
      secretKey: b64(new Uint8Array([...pair.secretKey.subarray(0, 32), ...other.publicKey])),
    }),
    'junk inside base64': good.replace(/"secretKey": "(.)/, '"secretKey": "!$1'),
    'oversized file': ' '.repeat(70 * 1024) + good,
  };
  for (const [name, content] of Object.entries(cases)) {
    it(name, async () => {
      const path = writeKeyFile(content);
      const before = readFileSync(path);
      const err = await rejection(loadOrCreateIdentity(profile));
      expect(err.code).toBe('corrupt');
      expect(err.message).toContain(path);
      expect(err.message).toContain('NOT replaced');
      expect(err.message).toMatch(/move it away/);
      expect(readFileSync(path)).toEqual(before);
      expect(readdirSync(profile)).toEqual(['identity.json']);
    });
  }
});

describe('other failures', () => {
  it('reports a directory at the key path as unreadable', async () => {
    mkdirSync(join(profile, 'identity.json'), { recursive: true });
    chmodSync(profile, 0o700);
    const err = await rejection(loadOrCreateIdentity(profile));
    expect(err.code).toBe('unreadable');
  });

  it('does not hang on a FIFO at the key path', async () => {
    mkdirSync(profile, { mode: 0o700 });
    execFileSync('mkfifo', ['-m', '600', identityPath(profile)]);
    const err = await rejection(loadOrCreateIdentity(profile));
    expect(err.code).toBe('unreadable');
  });

  it('reports a profile path that is a file as unwritable', async () => {
    writeFileSync(profile, 'not a directory');
    const err = await rejection(loadOrCreateIdentity(profile));
    expect(err.code).toBe('unwritable');
    expect(err.message).toContain(profile);
  });
});
