// The authenticated baseline (tcp-mesh.mjs --secure) runs from one bundled file, as lanchat runs
// from its bundle: loaded unbundled, its ~20 modules of dist/crypto and tweetnacl would cost each
// process module resolving and linking that lanchat does not pay, and flatter lanchat's ratio.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

/** Bundles `fixture` (and the dist/ modules it imports) into a temporary file, removed at exit. */
export async function bundleMesh(fixture: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lanchat-mesh-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const outfile = join(dir, 'tcp-mesh.mjs');
  await build({
    entryPoints: [fixture],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // tweetnacl is CommonJS and require()s node:crypto; an ES module has no require of its own.
    banner: {
      js: "import { createRequire as meshCreateRequire } from 'node:module'; const require = meshCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}
