// Runs a node in headless mode until /quit, SIGINT or SIGTERM, then says goodbye and returns the
// exit code. Our own signal handlers make sure the goodbyes (box-stream and mDNS) go out first.

import type { Identity } from '../identity/identity-file.js';
import { sanitize } from '../ui/model/sanitize.js';
import type { NodeConfig } from './common-options.js';
import { errorCode } from './errors.js';
import { type HeadlessLine, runCommands } from './headless.js';
import { jsonLine } from './json-line.js';
import { LineWriter } from './line-writer.js';
import { createNodeRuntime, type NodeRuntime } from './node-runtime.js';
import { quitSignal } from './quit-signal.js';

export interface HeadlessSessionIo {
  stdin: NodeJS.ReadableStream;
  stdout(text: string): void;
}

// Peers' nicks and text must not drive the user's terminal in the human-readable form.
// The same sanitizing as the terminal UI: no escape sequence, control or bidi character from a
// peer reaches the user's terminal through the text output either.
const printable = (s: unknown) => sanitize(String(s));

/** A peer as the user must read it: the display form (with its key suffix while another identity
 * claims a look-alike nick; peers cannot send `#`), and core's warning when it imitates a contact. */
function who(ref: { nick?: string; display?: string; warning?: string } | undefined): string {
  const name = printable(ref?.display ?? ref?.nick);
  return ref?.warning ? `${name} [${printable(ref.warning)}]` : name;
}

function human(line: HeadlessLine): string {
  const l = line as Record<string, unknown> & { type: string };
  type Ref = { nick?: string; display?: string; warning?: string };
  const peer = l.peer as Ref | undefined;
  const from = l.from as Ref | undefined;
  const to = l.to as Ref | undefined;
  switch (l.type) {
    case 'ready':
      return `lanchat is running as ${printable(l.nick)} on port ${l.port} (id ${l.id}); type /help`;
    case 'peer_online':
      return `+ ${who(peer)} is online`;
    case 'peer_offline':
      return `- ${who(peer)} is offline (${l.reason})`;
    case 'message':
      return l.room
        ? `${l.room} <${who(from)}> ${printable(l.text)}`
        : `[dm] <${who(from)}> ${printable(l.text)}`;
    case 'sent':
      return l.room
        ? `${l.room} <me> ${printable(l.text)}`
        : `[dm to ${who(to)}]${l.queued ? ' (queued)' : ''} ${printable(l.text)}`;
    case 'delivered':
      return `  ✓ delivered to ${who(to)}`;
    case 'file_offer':
      return `file ${l.id} from ${who(from)}: ${printable(l.name)} (${l.size} bytes); /accept ${l.id} [DIR] or /reject ${l.id}`;
    case 'file_progress':
      return `  file ${l.id}: ${Math.floor((Number(l.bytes) * 100) / Math.max(1, Number(l.size)))} % (${(Number(l.rate) / 1e6).toFixed(1)} MB/s)`;
    case 'file_done':
      return `file ${l.id} ${l.direction === 'in' ? 'saved as' : 'sent:'} ${printable(l.path)} (sha256 ${l.sha256})`;
    case 'file_failed':
      return `file ${l.id} failed (${l.code}): ${printable(l.message)}`;
    default:
      return `${l.type}: ${printable(JSON.stringify(Object.fromEntries(Object.entries(l).filter(([k]) => k !== 'type'))))}`;
  }
}

export async function runHeadlessSession(
  config: NodeConfig,
  identity: Identity,
  io: HeadlessSessionIo,
): Promise<number> {
  const output = new LineWriter(io.stdout);
  const write = (line: HeadlessLine) => output.write(`${config.json ? jsonLine(line) : human(line)}\n`);
  let runtime: NodeRuntime;
  try {
    runtime = createNodeRuntime(config, identity);
  } catch (err) {
    const code = errorCode(err, 'failed');
    write({ type: 'error', code, message: err instanceof Error ? err.message : String(err) });
    output.flush();
    return 1;
  }
  runtime.node.subscribe(write);
  runtime.node.onShown(() => output.flush());
  // A DM printed on stdout has been shown: that is when its sender gets the read receipt.
  runtime.node.subscribe((event) => {
    if (event.type === 'message' && event.to !== undefined && !event.history)
      runtime.node.markRead([event.id], event.from.id);
  });
  const ending = quitSignal();
  try {
    if (config.weakPassphrase) {
      write({
        type: 'warning',
        code: 'weak-passphrase',
        message: 'the --network passphrase is easy to guess offline',
      });
    }
    await runtime.start((code, message) => write({ type: 'warning', code, message }));
    runCommands(runtime.node, { stdin: io.stdin, write }, ending.quit);
    await ending.requested;
    return 0;
  } catch (err) {
    const code = errorCode(err, 'failed');
    write({ type: 'error', code, message: err instanceof Error ? err.message : String(err) });
    return 1;
  } finally {
    ending.dispose();
    await runtime.shutdown();
    write({ type: 'bye' });
    output.flush();
  }
}
