// bench:scale's raw baseline (test/netns/fixtures/tcp-mesh.mjs): one connection a pair, opened by
// the later process, counts the peer met at both ends; a fan-out reaches everyone over links either
// side opened. Run on loopback addresses of this host (127.0.0.x), no namespace needed.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../netns/harness.js';

const MESH = join(REPO_ROOT, 'test/netns/fixtures/tcp-mesh.mjs');
const PORT = 20_000 + (process.pid % 20_000);

interface Mesh {
  child: ChildProcess;
  events: { type: string; n?: number }[];
  /** The `count`th line of `type` (with number `n`, if given). */
  until(type: string, n?: number, count?: number): Promise<void>;
}

const running: Mesh[] = [];

function mesh(bind: string, dial: string[], expectPeers: number, extra: string[] = []): Mesh {
  const child = spawn(
    process.execPath,
    [
      MESH,
      '--port',
      String(PORT),
      '--bind',
      bind,
      '--dial',
      dial.join(','),
      '--expect',
      String(expectPeers),
      ...extra,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const events: Mesh['events'] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line));
    for (const w of waiters) w();
  });
  const m: Mesh = {
    child,
    events,
    until: (type, n, count = 1) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (events.filter((e) => e.type === type && (n === undefined || e.n === n)).length >= count) {
            waiters.delete(check);
            resolve();
          }
        };
        child.once('exit', () => reject(new Error(`${bind} exited before "${type}"`)));
        waiters.add(check);
        check();
      }),
  };
  running.push(m);
  return m;
}

afterEach(() => {
  for (const m of running.splice(0)) m.child.kill('SIGKILL');
});

describe('tcp-mesh baseline', () => {
  it('meets every peer over one connection a pair, dialled by the later process', async () => {
    const addresses = ['127.0.0.11', '127.0.0.12', '127.0.0.13'];
    const floor: Mesh[] = [];
    for (const [i, address] of addresses.entries()) {
      floor.push(mesh(address, addresses.slice(0, i), addresses.length - 1));
      await floor[i]!.until('ready');
    }
    await Promise.all(floor.map((m) => m.until('all')));
    // The first dialled nobody: it met both over connections they opened.
    expect(floor[0]!.events.map((e) => e.type)).toEqual(['ready', 'dialled', 'all']);
    for (const m of floor.slice(1)) await m.until('dialled');

    // A fan-out from the first goes out on links it accepted.
    floor[0]!.child.stdin!.write('fanout 7\n');
    await Promise.all(floor.slice(1).map((m) => m.until('fanout', 7)));

    // A joiner that dials all three meets them, and each of them counts it.
    const joiner = mesh('127.0.0.14', addresses, addresses.length);
    await joiner.until('all');
    joiner.child.stdin!.write('fanout 9\n');
    await Promise.all(floor.map((m) => m.until('fanout', 9)));
  });

  it('with --secure, meets over Secret Handshake with the key of the address it dials, and only then', async () => {
    const secure = ['--secure'];
    const honest = mesh('127.0.0.31', [], 1, secure);
    // Listens on .32 under the key of another address: whoever dials .32 expects .32's key.
    const impostor = mesh('127.0.0.32', [], 1, [...secure, '--self', '127.0.0.99']);
    await Promise.all([honest.until('ready'), impostor.until('ready')]);
    const dialsHonest = mesh('127.0.0.33', ['127.0.0.31'], 1, secure);
    const dialsImpostor = mesh('127.0.0.34', ['127.0.0.32'], 1, secure);
    await Promise.all([dialsHonest.until('all'), honest.until('all')]);
    // Its handshake fails (the impostor cannot answer for .32's key) and is retried: two attempts.
    await dialsImpostor.until('handshake-failed', undefined, 2);
    const met = (m: Mesh) => m.events.map((e) => e.type).filter((t) => t !== 'handshake-failed');
    expect(met(dialsImpostor)).toEqual(['ready']);
    expect(impostor.events.map((e) => e.type)).toEqual(['ready', 'dialled']); // it dials nobody

    // The fan-out travels as box-stream frames over the authenticated link.
    honest.child.stdin!.write('fanout 3\n');
    await dialsHonest.until('fanout', 3);
  });
});
