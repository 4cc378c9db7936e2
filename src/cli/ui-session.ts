// Runs a node with the terminal UI until /quit, Ctrl+C or SIGTERM; then restores the terminal,
// says goodbye (box-stream and mDNS) and returns the exit code. Our signal handlers are registered
// before blessed creates its screen, so blessed's own handlers (which call process.exit) stand down.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Identity } from '../identity/identity-file.js';
import { startChatApp } from '../ui/blessed/chat-app.js';
import type { NodeConfig } from './common-options.js';
import { createNodeRuntime, type NodeRuntime } from './node-runtime.js';
import { quitSignal } from './quit-signal.js';

const HISTORY_PAGE_LIMIT = 200;

export interface UiSessionIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** Everything that would have gone to stdout/stderr while the screen is up goes here instead. */
function fileLogger(profileDir: string): (message: string) => void {
  const path = join(profileDir, 'lanchat.log');
  return (message) => {
    try {
      appendFileSync(path, `${new Date().toISOString()} ${message}\n`, { mode: 0o600 });
    } catch {
      // Logging must never break the chat.
    }
  };
}

export async function runUiSession(config: NodeConfig, identity: Identity, io: UiSessionIo): Promise<number> {
  const log = fileLogger(config.profileDir);
  let runtime: NodeRuntime;
  try {
    runtime = createNodeRuntime(config, identity);
  } catch (err) {
    io.stderr(`lanchat: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const ending = quitSignal();
  const savedConsole = { log: console.log, error: console.error, warn: console.warn, info: console.info };
  const toLog = (...args: unknown[]) => log(args.map(String).join(' '));
  Object.assign(console, { log: toLog, error: toLog, warn: toLog, info: toLog });
  const { store } = runtime;
  const app = startChatApp({
    node: runtime.node,
    input: io.stdin,
    output: io.stdout,
    networkName: config.defaultNetwork ? 'public' : `private ${config.networkTag}`,
    notify: config.notify,
    inTmux: Boolean(io.env.TMUX),
    loadHistory: (conversation, before, limit) =>
      store.messages.history(conversation, {
        limit: Math.min(limit, HISTORY_PAGE_LIMIT),
        ...(before ? { before } : {}),
      }),
    onQuit: ending.quit,
    log,
  });
  const unsubscribe = runtime.node.subscribe((event) => {
    if (event.type === 'warning' || event.type === 'error')
      log(`${event.type} ${event.code}: ${event.message}`);
  });
  let code = 0;
  let failure: string | undefined;
  try {
    if (config.weakPassphrase) {
      app.model.system(
        app.model.buffers.status,
        'warning: the --network passphrase is easy to guess offline',
        'error',
      );
    }
    await runtime.start((code, message) => log(`warning ${code}: ${message}`));
    await ending.requested;
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    log(`fatal: ${err instanceof Error ? err.stack : failure}`);
    code = 1;
  } finally {
    unsubscribe();
    // The terminal first, so the shell is usable at once; then the goodbyes, bounded in time.
    app.destroy();
    Object.assign(console, savedConsole);
    await runtime.shutdown();
    ending.dispose();
  }
  if (failure) io.stderr(`lanchat: ${failure}\n`);
  return code;
}
