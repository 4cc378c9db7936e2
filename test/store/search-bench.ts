// Search latency over 100,000 messages (issue 5 target: <= 50 ms), next to a LIKE '%…%' full scan
// measured in the same run. Not a vitest file: run `npx tsx test/store/search-bench.ts [count]`.
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { fillMessages, tempProfile } from './store-fixtures.js';

const COUNT = Number(process.argv[2] ?? 100_000);
const RUNS = 20;
const QUERIES = ['世界', '天', '東京タワー', 'café', 'meeting', 'meeting review', '🎉', 'absent'];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(fn: () => unknown): { median: number; max: number; result: unknown } {
  let result: unknown;
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    result = fn();
    samples.push(performance.now() - start);
  }
  return { median: median(samples), max: Math.max(...samples), result };
}

const profile = tempProfile();
try {
  let store = profile.open();
  const fillStart = performance.now();
  fillMessages(store, COUNT);
  const fillMs = performance.now() - fillStart;
  store.close();
  const openStart = performance.now();
  store = profile.open();
  const openMs = performance.now() - openStart;

  // The comparison: what a naive substring scan costs on the same file (read-only second handle
  // is impossible while the store holds its exclusive lock, so close it for the scan).
  store.close();
  const raw = new Database(profile.dbPath, { readonly: true });
  const like = raw.prepare('SELECT id FROM messages WHERE text LIKE ? ORDER BY ts DESC LIMIT 50');
  const scans = new Map(QUERIES.map((q) => [q, time(() => like.all(`%${q}%`)).median]));
  raw.close();
  store = profile.open();

  console.log(`messages: ${COUNT}; fill ${Math.round(COUNT / (fillMs / 1000))} msg/s in one transaction;`);
  console.log(`open (quick_check + migrate check): ${openMs.toFixed(1)} ms\n`);
  console.log('| query | hits (limit 50) | FTS median ms | FTS max ms | LIKE scan median ms | ratio |');
  console.log('|---|---|---|---|---|---|');
  for (const query of QUERIES) {
    const fts = time(() => store.messages.search(query, { limit: 50 }));
    const scan = scans.get(query)!;
    const hits = (fts.result as unknown[]).length;
    console.log(
      `| ${query} | ${hits} | ${fts.median.toFixed(2)} | ${fts.max.toFixed(2)} | ${scan.toFixed(2)} | ${(fts.median / scan).toFixed(2)}× |`,
    );
  }
  store.close();
} finally {
  profile.remove();
}
