import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { type TempProfile, tempProfile } from './store-fixtures.js';

let profile: TempProfile | undefined;
afterEach(() => profile?.remove());

it('keeps every message acknowledged before a SIGKILL, and opens cleanly after it', async () => {
  profile = tempProfile();
  const writer = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./kill-writer.ts', import.meta.url)), profile.dbPath],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    writer.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.split('\n').length > 2_000) resolve();
    });
    writer.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
  });
  writer.kill('SIGKILL');
  await new Promise((resolve) => writer.once('exit', resolve));

  const acked = output.split('\n').filter((line) => /^k-\d+$/.test(line));
  expect(acked.length).toBeGreaterThanOrEqual(2_000);
  const store = profile.open();
  const missing = acked.filter((id) => store.messages.get(id) === undefined);
  expect(missing).toEqual([]);
  // Still searchable, and dedupe still holds for what was stored.
  expect(store.messages.search('你好', { limit: 5 })).toHaveLength(5);
  expect(store.messages.saveIncoming(store.messages.get(acked[0]!)!)).toBe(false);
  store.close();
});
