// `lanchat send`: one message from a script or a shell, with an exit status that says whether it
// arrived. It goes through the lanchat already running on the profile when there is one (its
// control socket), else through a temporary node that lives just long enough to deliver it.
import type { LanchatNode } from '../core/node.js';
import { MAX_TEXT_BYTES, normaliseRoom, roomKey, textProblem } from '../protocol/names.js';
import type { Store } from '../store/store.js';
import { parseFlags } from './args.js';
import { type CommandIo, processCommandIo } from './command-io.js';
import {
  askNetworkIfNeeded,
  COMMON_OPTIONS,
  COMMON_OPTIONS_USAGE,
  commonOptionsFrom,
  type ResolveContext,
  resolveNodeConfig,
} from './common-options.js';
import type { ControlClient } from './control-client.js';
import {
  CONTROL_VERSION,
  ControlError,
  type ControlPeer,
  type ControlReply,
  encodeLine,
  MAX_REQUEST_BYTES,
  MAX_TIMEOUT_MS,
  type SendTarget,
} from './control-protocol.js';
import { EXIT_FAILURE, reportCommandError, UsageError } from './errors.js';
import { WEAK_PASSPHRASE_WARNING } from './network-secret.js';
import { type ProfileNode, type RuntimeFactory, reachProfileNode, stopTemporary } from './profile-node.js';
import { deliverFile, type FileSendResult } from './send-file.js';
import { type SendOutcome, type SendProgress, trackSend } from './send-tracker.js';

/** EX_TEMPFAIL from sysexits.h: "try again later" — queued, not yet delivered. */
export const EXIT_QUEUED = 75;
export const DEFAULT_SEND_TIMEOUT_S = 10;
/** A file waits for a person to /accept it: give them longer. */
export const DEFAULT_FILE_TIMEOUT_S = 300;
/** A temporary node waits this long (at most) for a room's known members to connect. */
const ROOM_SETTLE_MS = 2_000;
/** Extra time we give a running node to answer after the send's own timeout. */
const REPLY_GRACE_MS = 10_000;

const commonUsage = COMMON_OPTIONS_USAGE.split('\n')
  .filter((line) => !/^\s+--(headless|json)\b/.test(line))
  .join('\n');

export const SEND_USAGE = `Usage: lanchat send (--to NICK | --room '#ROOM') [--timeout S] [--json] [options] [TEXT...]
       lanchat send --to NICK --file PATH [--timeout S] [--json] [options]

Sends one message and waits until it is delivered. TEXT is the arguments joined by spaces; with
no TEXT the message is read from stdin (all of it, at most 16 KiB; one trailing newline is
dropped). Quote room names: an unquoted #ROOM is a comment to the shell (--room dev also works).

If lanchat already runs with this profile, the message is handed to it (through the socket
control.sock in the profile directory). Otherwise send starts lanchat itself with the profile,
waits for the recipient to come online, sends, waits for the acknowledgement and says goodbye.

  --to NICK          a direct message to NICK (or NICK#abcd, or a lanchat id); a NICK not yet
                     online is waited for until the timeout
  --room '#ROOM'     a message to a room you are in; delivered means: acknowledged by every
                     member who was online when it was sent
  --file PATH        offer the file PATH to NICK instead of a message; delivered means NICK
                     accepted it and its SHA-256 matched (default timeout ${DEFAULT_FILE_TIMEOUT_S} s)
  --timeout S        seconds to wait for delivery (default ${DEFAULT_SEND_TIMEOUT_S}; 0 sends without waiting)
  --json             print the result as one JSON object on stdout
${commonUsage}
  (--nick, --port, --network, --interface and --peer apply only when send starts lanchat itself)

Exit status:
  0   delivered
  75  queued but not delivered before the timeout: it stays in the profile's outbox and is
      delivered by the next lanchat that runs with this profile (or the one running now)
  1   error: unknown nick, not in the room, invalid room name, empty or over-long message,
      unusable database or identity, ...
  2   bad command line
`;

const SEND_OPTIONS = (() => {
  const { headless: _headless, ...common } = COMMON_OPTIONS;
  return {
    ...common,
    to: { type: 'string' },
    room: { type: 'string' },
    timeout: { type: 'string' },
    file: { type: 'string' },
  } as const;
})();

export type SendErrorCode = 'empty-message' | 'message-too-long' | 'invalid-room' | 'invalid-recipient';

export class SendError extends Error {
  override readonly name = 'SendError';
  readonly code: SendErrorCode | string;
  constructor(code: SendErrorCode | string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export interface SendCommandIo extends CommandIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  username?: () => string;
  /** The temporary node; tests wire in-memory transport and discovery here. */
  createRuntime?: RuntimeFactory;
}

const processIo: SendCommandIo = { ...processCommandIo, stdin: process.stdin };

interface SendResult {
  status: 'delivered' | 'queued';
  id: string;
  target: { to: ControlPeer } | { room: string };
  delivered: ControlPeer[];
  pending: ControlPeer[];
  via: 'running-node' | 'temporary-node';
}

export async function run(argv: string[], io: SendCommandIo = processIo): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseFlags(argv, SEND_OPTIONS);
    json = values.json ?? false;
    if (values.help) {
      io.stdout(SEND_USAGE);
      return 0;
    }
    const target = targetFrom(values.to, values.room);
    const context: ResolveContext = {
      env: io.env,
      ...(io.username ? { username: io.username } : {}),
      warn: (m: string) => io.stderr(`lanchat send: warning: ${m}\n`),
    };
    const config = resolveNodeConfig(await askNetworkIfNeeded(commonOptionsFrom(values)), context);
    if (config.weakPassphrase) io.stderr(`lanchat send: warning: ${WEAK_PASSPHRASE_WARNING}.\n`);
    if (values.file !== undefined) {
      if (!('to' in target) || positionals.length > 0)
        throw new UsageError('--file goes with --to NICK and no TEXT');
      if (values.file === '') throw new UsageError('--file must not be empty; expected --file PATH');
      const fileTimeoutMs =
        values.timeout === undefined ? DEFAULT_FILE_TIMEOUT_S * 1000 : timeoutFrom(values.timeout);
      const node = await reachProfileNode({
        config,
        deadline: Date.now() + fileTimeoutMs,
        ...(io.createRuntime ? { createRuntime: io.createRuntime } : {}),
        onCreatedIdentity: (path) => io.stderr(`lanchat send: created a new identity in ${path}\n`),
      });
      return printFile(io, json, await deliverFile(node, target.to, values.file, fileTimeoutMs));
    }
    const timeoutMs = timeoutFrom(values.timeout);
    const text = checkText(positionals.length > 0 ? positionals.join(' ') : await readStdin(io));
    if ('room' in target) {
      const key = roomKey(target.room);
      if (!key.ok) throw new SendError('invalid-room', `--room ${target.room}: ${key.problem}`);
    }
    const deadline = Date.now() + timeoutMs;
    const node = await reachProfileNode({
      config,
      deadline,
      ...(io.createRuntime ? { createRuntime: io.createRuntime } : {}),
      onCreatedIdentity: (path) => io.stderr(`lanchat send: created a new identity in ${path}\n`),
    });
    const result = await deliver(node, target, text, deadline, timeoutMs, config.profileDir);
    print(io, json, result, timeoutMs, config.profileDir);
    return result.status === 'delivered' ? 0 : EXIT_QUEUED;
  } catch (err) {
    return reportCommandError(err, 'lanchat send', { json, stdout: io.stdout, stderr: io.stderr });
  }
}

function targetFrom(to: string | undefined, room: string | undefined): SendTarget {
  if ((to === undefined) === (room === undefined)) {
    throw new UsageError('give exactly one of --to NICK and --room #ROOM');
  }
  if (to !== undefined) {
    if (to === '') throw new UsageError('--to must not be empty; expected e.g. --to bob');
    if (/[\u0000-\u001f\u007f-\u009f]/u.test(to)) {
      throw new SendError('invalid-recipient', '--to: a nick cannot contain control characters');
    }
    return { to };
  }
  if (room === '' || room === '#')
    throw new UsageError("--room must not be empty; expected e.g. --room '#dev'");
  return { room: normaliseRoom(room!.startsWith('#') ? room! : `#${room}`) };
}

function timeoutFrom(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SEND_TIMEOUT_S * 1000;
  const seconds = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 0 && seconds * 1000 <= MAX_TIMEOUT_MS)) {
    throw new UsageError(
      `--timeout expects seconds from 0 to ${MAX_TIMEOUT_MS / 1000}, e.g. --timeout 30 (got '${value}')`,
    );
  }
  return Math.round(seconds * 1000);
}

/** All of stdin, stopping as soon as it cannot be a valid message (no unbounded buffering). */
async function readStdin(io: SendCommandIo): Promise<string> {
  if (io.stdin.isTTY) io.stderr('lanchat send: type the message, then Ctrl-D on a line of its own\n');
  const chunks: Buffer[] = [];
  let size = 0;
  // +2: room for the trailing "\r\n" that is dropped.
  for await (const chunk of io.stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > MAX_TEXT_BYTES + 2) throw tooLong();
    chunks.push(bytes);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function checkText(text: string): string {
  if (text.trim() === '') {
    throw new SendError('empty-message', 'the message is empty; give TEXT or pipe it on stdin');
  }
  if (textProblem(text)) throw tooLong();
  return text;
}

function tooLong(): SendError {
  return new SendError(
    'message-too-long',
    `the message is longer than ${MAX_TEXT_BYTES / 1024} KiB (the limit per message); split it, or send a file`,
  );
}

async function deliver(
  node: ProfileNode,
  target: SendTarget,
  text: string,
  deadline: number,
  timeoutMs: number,
  profileDir: string,
): Promise<SendResult> {
  if (node.kind === 'running') {
    try {
      return await viaRunningNode(node.client, target, text, timeoutMs);
    } finally {
      node.client.close();
    }
  }
  const { runtime } = node;
  try {
    if ('room' in target) {
      if (!runtime.store.rooms.joined().includes(target.room)) {
        throw new SendError(
          'not-in-room',
          `you are not in ${target.room} with profile ${profileDir}; join it first (/join ${target.room})`,
        );
      }
      await settleRoom(
        runtime.node,
        runtime.store,
        target.room,
        Math.min(ROOM_SETTLE_MS, deadline - Date.now()),
      );
    }
    let sent: Extract<SendProgress, { type: 'sent' }> | undefined;
    const outcome = await trackSend(
      { node: runtime.node, outbox: runtime.store.outbox },
      { target, text, timeoutMs: Math.max(0, deadline - Date.now()) },
      (progress) => {
        if (progress.type === 'sent') sent = progress;
      },
    ).catch((err: unknown) => {
      throw explainUnknown(err, target, timeoutMs);
    });
    return result(sent, outcome, 'temporary-node');
  } finally {
    await stopTemporary(runtime);
  }
}

async function viaRunningNode(
  client: ControlClient,
  target: SendTarget,
  text: string,
  timeoutMs: number,
): Promise<SendResult> {
  let sent: Extract<SendProgress, { type: 'sent' }> | undefined;
  // A wedged node must not hold the command forever: hanging up counts as "lost connection".
  const guard = setTimeout(() => client.close(), timeoutMs + REPLY_GRACE_MS);
  const request = { cmd: 'send' as const, ...target, text, timeoutMs };
  // Only text full of control characters (6 bytes each in JSON) can exceed the line limit.
  if (
    Buffer.byteLength(encodeLine({ v: CONTROL_VERSION, ref: '0000000000', ...request })) > MAX_REQUEST_BYTES
  ) {
    throw new SendError(
      'message-too-long',
      `the message has too many control characters to fit a ${MAX_REQUEST_BYTES / 1024} KiB control request`,
    );
  }
  let final: ControlReply;
  try {
    final = await client.request(request, (reply) => {
      if (reply.type === 'sent') sent = reply;
    });
  } catch (err) {
    // After `sent` the message is in the running node's outbox: queued, not lost.
    if (sent && err instanceof ControlError && err.code === 'connection-lost') {
      return result(
        sent,
        {
          type: 'timeout',
          id: sent.id,
          delivered: [],
          pending: sent.recipients,
          reason: 'stopping',
        },
        'running-node',
      );
    }
    throw err;
  } finally {
    clearTimeout(guard);
  }
  if (final.type === 'error') {
    throw explainUnknown(new SendError(final.code, final.message), target, timeoutMs);
  }
  if (final.type !== 'done' && final.type !== 'timeout') {
    throw new ControlError('bad-reply', `the running lanchat answered a send with '${final.type}'`);
  }
  return result(sent, final, 'running-node');
}

function explainUnknown(err: unknown, target: SendTarget, timeoutMs: number): unknown {
  if (!(err instanceof Error) || !('code' in err) || err.code !== 'unknown-peer' || !('to' in target)) {
    return err;
  }
  return new SendError(
    'unknown-peer',
    `nobody called ${target.to} is known or appeared within ${timeoutMs / 1000} s; ` +
      "'lanchat peers' lists who is online",
    { cause: err },
  );
}

function result(
  sent: Extract<SendProgress, { type: 'sent' }> | undefined,
  outcome: SendOutcome,
  via: SendResult['via'],
): SendResult {
  if (!sent) throw new ControlError('bad-reply', 'the message was never reported as sent');
  return {
    status: outcome.type === 'done' ? 'delivered' : 'queued',
    id: outcome.id,
    target: 'to' in sent ? { to: sent.to } : { room: sent.room },
    delivered: outcome.delivered,
    pending: outcome.type === 'timeout' ? outcome.pending : [],
    via,
  };
}

/** Lets a just-started node meet the room's known members (up to `ms`) before the message goes
 * out: a room message reaches only the members online at that moment. */
function settleRoom(node: LanchatNode, store: Store, room: string, ms: number): Promise<void> {
  const ready = () => {
    const members = store.rooms.members(room);
    const online = new Set(
      node
        .peerList()
        .filter((p) => p.connected)
        .map((p) => p.id),
    );
    return members.length > 0 && members.every((id) => online.has(id));
  };
  return new Promise((resolve) => {
    if (ms <= 0 || ready()) return resolve();
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(finish, ms);
    const unsubscribe = node.subscribe(() => {
      if (ready()) finish();
    });
  });
}

function printFile(io: SendCommandIo, json: boolean, r: FileSendResult): number {
  const o = r.outcome;
  const status = o.type === 'file_done' ? 'delivered' : o.type === 'file_pending' ? 'queued' : 'failed';
  if (json) {
    io.stdout(
      `${JSON.stringify({ ...o, type: 'send_file', outcome: o.type, status, offered: r.offered, via: r.via })}\n`,
    );
  } else if (o.type === 'file_done') {
    io.stdout(
      `delivered ${printable(r.offered?.name ?? '')} to ${printable(r.offered?.to.nick ?? '')} (sha256 ${o.sha256})\n`,
    );
  } else if (o.type === 'file_pending') {
    io.stdout(
      `file ${o.id} is ${o.state}, not finished in time; ` +
        (r.via === 'running-node'
          ? 'the running lanchat keeps offering and resumes it\n'
          : 'the offer stays in the profile; the next lanchat with this profile resumes it\n'),
    );
  } else {
    io.stderr(`lanchat send: file ${o.id} failed (${o.code}): ${printable(o.message)}\n`);
  }
  return o.type === 'file_done' ? 0 : o.type === 'file_pending' ? EXIT_QUEUED : EXIT_FAILURE;
}

// Nicks come from the network: never let them drive the terminal.
const printable = (s: string) => s.replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, '?');
const names = (peers: ControlPeer[]) => peers.map((p) => printable(p.nick)).join(', ');

function print(io: SendCommandIo, json: boolean, r: SendResult, timeoutMs: number, profileDir: string): void {
  if (json) {
    io.stdout(
      `${JSON.stringify({ type: 'send', status: r.status, id: r.id, ...r.target, delivered: r.delivered, pending: r.pending, via: r.via })}\n`,
    );
    return;
  }
  const where = 'to' in r.target ? printable(r.target.to.nick) : r.target.room;
  if (r.status === 'delivered') {
    if ('to' in r.target) io.stdout(`delivered to ${where}\n`);
    else if (r.delivered.length === 0) io.stdout(`sent to ${where}; no other member was online\n`);
    else io.stdout(`delivered to ${where}: ${names(r.delivered)}\n`);
    return;
  }
  const keeper =
    r.via === 'running-node'
      ? 'the lanchat running with this profile keeps it in its outbox and delivers it'
      : `it stays in the outbox of ${profileDir} and is delivered the next time lanchat runs with this profile`;
  io.stdout(
    `queued for ${'to' in r.target ? where : `${where} (${names(r.pending)})`}: not delivered within ` +
      `${timeoutMs / 1000} s; ${keeper}\n`,
  );
}
