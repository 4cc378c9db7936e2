#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/bundle/ (scripts/bundle.mjs), by `npm run build` in a
// clone and by the prepare script before `npm pack`, so an installed package needs no build step.
import { readdirSync, rmSync, statSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The user's cache directory for lanchat ($XDG_CACHE_HOME/lanchat, else ~/.cache/lanchat), or
 * undefined without a home. A relative XDG_CACHE_HOME is ignored, as the XDG spec says. */
function userCacheDir() {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'lanchat');
  let home = '';
  try {
    home = homedir();
  } catch {
    // no home directory (a service account without one)
  }
  return home && isAbsolute(home) ? join(home, '.cache', 'lanchat') : undefined;
}

/** This build's own directory in the cache: named after the bundle's entry file (size and time),
 * which changes with every build and every upgrade. */
function buildKey() {
  try {
    const entry = statSync(new URL('../dist/bundle/main.js', import.meta.url));
    return `${entry.size.toString(36)}-${Math.floor(entry.mtimeMs).toString(36)}`;
  } catch {
    return 'unknown';
  }
}

/**
 * V8's compile cache (Node >= 22.1): later starts reuse the code compiled by earlier ones instead
 * of parsing and compiling every module again, which is most of a short command's CPU. It lives in
 * NODE_COMPILE_CACHE if set, else in the user's cache directory, not in Node's default of the OS
 * temp dir: /tmp is emptied at every boot (a tmpfs on Debian 13), so the morning's first start,
 * the one an office makes all at 9:00, would always be cold; and one /tmp/node-compile-cache made
 * by one user is not writable by the others on a shared host. Node never removes stale entries
 * (and our chunk files are named by their contents), which is why it recommends the temp dir: so
 * each build gets a directory of its own and the others are removed here, at start. A cache that
 * cannot be written or removed only costs the speed-up, never the command. Enabled before dist/ is
 * imported, or it would not cover it.
 */
function enableCompileCache() {
  const base = process.env.NODE_COMPILE_CACHE ? undefined : userCacheDir();
  if (!base) return void module.enableCompileCache?.();
  const builds = join(base, 'compile-cache');
  const current = buildKey();
  try {
    for (const other of readdirSync(builds)) {
      if (other !== current) rmSync(join(builds, other), { recursive: true, force: true });
    }
  } catch {
    // not there yet, or not ours to clean
  }
  module.enableCompileCache?.(join(builds, current));
}

enableCompileCache();
// Node writes that cache only when the process exits, and a cache entry once written is not
// rewritten. A node that runs all day and is then killed (SIGKILL, power off, a crash) never wrote
// it; and what makes the next start cheap is the code its first peers made V8 compile (discovery,
// handshakes, links), not only the modules' top level. So it is written once, 20 s in, when a node
// has usually met its LAN. Never holds the process open.
setTimeout(() => module.flushCompileCache?.(), 20_000).unref();
const { main } = await import('../dist/bundle/main.js');

main(process.argv.slice(2)).then(
  // Exit explicitly: a finished command must not linger on an open stdin or a socket timer.
  (code) => process.exit(typeof code === 'number' ? code : 0),
  (err) => {
    process.stderr.write(`lanchat: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
