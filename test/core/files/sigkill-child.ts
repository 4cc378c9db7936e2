// Runs scripts/bench-files/file-node.ts as a child process and reads its JSON event lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import nacl from 'tweetnacl';

const SCRIPT = fileURLToPath(new URL('../../../scripts/bench-files/file-node.ts', import.meta.url));

export interface ChildEvent {
  type: string;
  at: number;
  [key: string]: unknown;
}

export interface NodeSpec {
  nick: string;
  seed: string;
  publicKey: string;
  port: number;
}

export function nodeSpec(nick: string, port: number): NodeSpec {
  const seed = randomBytes(32);
  const publicKey = Buffer.from(nacl.sign.keyPair.fromSeed(seed).publicKey).toString('base64');
  return { nick, seed: seed.toString('hex'), publicKey, port };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export class FileNodeProcess {
  readonly events: ChildEvent[] = [];
  readonly child: ChildProcess;
  private buffer = '';

  constructor(self: NodeSpec, peer: NodeSpec, dbPath: string, downloadDir: string) {
    const config = {
      nick: self.nick,
      seed: self.seed,
      port: self.port,
      dbPath,
      downloadDir,
      peer: { publicKey: peer.publicKey, port: peer.port },
    };
    // node itself (not the tsx wrapper, which would leave its child behind on SIGKILL).
    // LANCHAT_CHILD_NODE_ARGS: extra node flags for profiling, e.g. "--cpu-prof".
    const extra = process.env.LANCHAT_CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    this.child = spawn(process.execPath, [...extra, '--import', 'tsx', SCRIPT, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => {
      this.buffer += chunk;
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line) as ChildEvent);
    });
  }

  command(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  async waitFor(what: string, probe: (e: ChildEvent) => boolean, timeoutMs = 30_000): Promise<ChildEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(probe);
      if (found) return found;
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}
