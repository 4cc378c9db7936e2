// `lanchat send` and `lanchat peers` act through the node that owns the profile: the one already
// running (over its control socket), or else a temporary node they start and stop themselves.
// Never both: the store's exclusive lock makes sure a profile has one node, one identity online.
import type { Identity } from '../identity/identity-file.js';
import { openIdentity } from '../identity/identity-store.js';
import { StoreError } from '../store/store.js';
import type { NodeConfig } from './common-options.js';
import { ControlClient } from './control-client.js';
import { controlSocketPath } from './control-protocol.js';
import { createNodeRuntime, type NodeRuntime } from './node-runtime.js';

/** How often to look again while another process holds the profile but has no socket yet. */
const RETRY_MS = 200;
/** Bound on goodbyes when a temporary node stops, so a wedged peer cannot hold the command. */
const STOP_TIMEOUT_MS = 3_000;

/** Builds the temporary node; tests pass one wired to in-memory transport and discovery. */
export type RuntimeFactory = (config: NodeConfig, identity: Identity) => NodeRuntime;

export type ProfileNode =
  | { kind: 'running'; client: ControlClient }
  | { kind: 'temporary'; runtime: NodeRuntime };

export interface ReachOptions {
  config: NodeConfig;
  createRuntime?: RuntimeFactory;
  /** Date.now() after which a profile that stays locked is reported as an error. */
  deadline: number;
  /** Told once when a new identity was created for the temporary node. */
  onCreatedIdentity?: (path: string) => void;
}

export async function reachProfileNode(options: ReachOptions): Promise<ProfileNode> {
  const path = controlSocketPath(options.config.profileDir);
  for (;;) {
    const client = await ControlClient.connect(path);
    if (client) return { kind: 'running', client };
    try {
      return { kind: 'temporary', runtime: await startTemporary(options) };
    } catch (err) {
      // A node that is starting holds the lock a moment before its socket exists; one without a
      // socket at all (an old version, a failed socket) keeps it until the deadline.
      if (!(err instanceof StoreError && err.code === 'locked')) throw err;
      if (Date.now() >= options.deadline) {
        throw new StoreError(
          'locked',
          err.path,
          `another lanchat holds this profile (${options.config.profileDir}) but does not answer on ` +
            `${path}; stop it or wait for it to finish, or use a different --profile`,
          { cause: err },
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

async function startTemporary(options: ReachOptions): Promise<NodeRuntime> {
  const { identity, path, created } = await openIdentity(options.config.profileDir);
  if (created) options.onCreatedIdentity?.(path);
  const runtime = (options.createRuntime ?? createNodeRuntime)(options.config, identity);
  try {
    await runtime.node.start();
  } catch (err) {
    await stopTemporary(runtime);
    throw err;
  }
  return runtime;
}

/** Goodbyes on every link and in discovery, then the database is closed; bounded in time. */
export async function stopTemporary(runtime: NodeRuntime): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, STOP_TIMEOUT_MS);
  });
  await Promise.race([runtime.shutdown(), timeout]);
  clearTimeout(timer);
}
