#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` through the prepare script).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  // Exit explicitly: a finished command must not linger on an open stdin or a socket timer.
  (code) => process.exit(typeof code === 'number' ? code : 0),
  (err) => {
    process.stderr.write(`lanchat: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
