// Vitest global setup: makes sure dist/ (tsc's per-file output and the CLI bundle that
// bin/lanchat.js runs) is built from the current sources before any test file starts. Test files
// used to run tsc in their own beforeAll: two workers then rewrote dist/ at once while other files
// were starting nodes from it, and under load the build alone could outlast the 30 s hook timeout.
// Here it runs once, in the main process, and only when a source is newer than the last build.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = join(repo, 'dist/bundle/main.js');
const INPUTS = ['src', 'types', 'scripts/bundle.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export default function setup(): void {
  const built = statSync(BUILT, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(...INPUTS.map((input) => newestMtime(join(repo, input))));
  if (built >= sources) return;
  execFileSync('npm', ['run', '-s', 'build'], { cwd: repo, stdio: 'inherit' });
}
