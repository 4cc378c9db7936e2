#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/bundle/ (scripts/bundle.mjs), by `npm run build` in a
// clone and by the prepare script before `npm pack`, so an installed package needs no build step.
import module from 'node:module';

// V8's compile cache (Node >= 22.1): later starts reuse the code compiled by earlier ones instead
// of parsing and compiling every module again, which is most of a short command's CPU. The cache
// lives in NODE_COMPILE_CACHE if set, else in the OS temp dir; a cache that cannot be written only
// costs the speed-up, never the command. Enabled before dist/ is imported, or it would not cover it.
module.enableCompileCache?.();
// Node writes that cache only when the process exits. A node that runs all day and is then
// killed (SIGKILL, power off, a crash) would never write it, and neither would the first of a
// floor of colleagues' nodes before the others start: written a few seconds in (the modules are
// loaded by then) and again a minute later (with what the first peers made V8 compile). Never
// holds the process open.
for (const ms of [3_000, 60_000]) setTimeout(() => module.flushCompileCache?.(), ms).unref();
const { main } = await import('../dist/bundle/main.js');

main(process.argv.slice(2)).then(
  // Exit explicitly: a finished command must not linger on an open stdin or a socket timer.
  (code) => process.exit(typeof code === 'number' ? code : 0),
  (err) => {
    process.stderr.write(`lanchat: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
