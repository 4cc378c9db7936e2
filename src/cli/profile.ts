// Where a user's lanchat state lives. Precedence: --profile, then LANCHAT_PROFILE, then the XDG
// base directory ($XDG_CONFIG_HOME/lanchat), then ~/.config/lanchat. Several profiles on one
// machine are how you run two nodes side by side for testing.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export interface ProfileSources {
  /** Value of --profile, if given. */
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  home?: string;
  cwd?: string;
}

export function resolveProfileDir(sources: ProfileSources = {}): string {
  const env = sources.env ?? process.env;
  const home = sources.home ?? homedir();
  const cwd = sources.cwd ?? process.cwd();
  const explicit = nonEmpty(sources.flag) ?? nonEmpty(env.LANCHAT_PROFILE);
  if (explicit !== undefined) return resolve(cwd, expandHome(explicit, home));
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'lanchat');
  return join(home, '.config', 'lanchat');
}

// The shell expands `--profile ~/x` but not `--profile=~/x` or a quoted value; do it for them.
function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
