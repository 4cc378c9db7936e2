#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/bundle/ (scripts/bundle.mjs), by `npm run build` in a
// clone and by the prepare script before `npm pack`, so an installed package needs no build step.
import module from 'node:module';

// V8's compile cache (Node >= 22.1): later starts reuse the code compiled by earlier ones instead
// of parsing and compiling every module again, which is most of a short command's CPU. The cache
// lives in NODE_COMPILE_CACHE if set, else in the OS temp dir; a cache that cannot be written only
// costs the speed-up, never the command. Enabled before dist/ is imported, or it would not cover it.
module.enableCompileCache?.();
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
