// Bundles the CLI (src/cli/main.ts and everything it imports) into dist/bundle/: what
// bin/lanchat.js runs and what the npm package ships. Run by `npm run build` after tsc, which
// typechecks and still emits dist/ per file for the tests and benchmarks that import modules.
//
// Why a bundle: Node's ES module loader spends more CPU resolving, reading and linking ~150
// small files than running them (≈ 60 ms of a 0.17 s start to `ready`, Node 26). One file per
// command (esbuild's code splitting keeps the sub-commands, the terminal UI and the headless
// session in their own chunks, loaded by the dynamic imports in main.ts and start-command.ts)
// starts in a few module loads. Plain .mjs so it runs on node alone, without tsx.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  chunkNames: 'chunks/[name]-[hash]',
  // Left to Node's loader: better-sqlite3 loads a native addon from its own folder, blessed
  // require()s its widgets and terminfo files by computed names, and libsodium is a large WASM
  // blob loaded only when a file transfer starts.
  external: ['better-sqlite3', 'blessed', 'libsodium-wrappers'],
  // Bundled CommonJS packages (tweetnacl, multicast-dns) call require('crypto') etc.; an ES
  // module has no require, so give each chunk one.
  banner: {
    js: "import { createRequire as lanchatCreateRequire } from 'node:module'; const require = lanchatCreateRequire(import.meta.url);",
  },
  legalComments: 'linked',
  logLevel: 'warning',
});
