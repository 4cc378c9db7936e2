// Benchmarks run the nodes from a private copy of the build made when they start: others working
// in this tree may rebuild dist/ meanwhile, and every figure of one run must come from one build.
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './harness.js';

/** Copies bin/, dist/ and package.json to a temporary directory (removed at exit); returns it. */
export function snapshotBuild(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lanchat-${tag}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const part of ['bin', 'dist', 'package.json'])
    cpSync(join(REPO_ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
