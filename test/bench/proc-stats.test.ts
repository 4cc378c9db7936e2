// The benchmarks' CPU clock (scripts/bench-scale/proc-stats.ts) reads what Node's own
// process.cpuUsage() reads, to well under the 10 ms steps of /proc/PID/stat.
import { describe, expect, it } from 'vitest';
import { cpuSeconds } from '../../scripts/bench-scale/proc-stats.js';

const used = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

describe('cpuSeconds', () => {
  it("follows the process's own CPU clock to within a few ms, in steps finer than a tick", () => {
    let x = 0;
    const [ours0, node0] = [cpuSeconds(process.pid)!, used()];
    for (let i = 0; i < 2e7; i++) x += i % 7;
    const [ours1, node1] = [cpuSeconds(process.pid)!, used()];
    expect(x).toBeGreaterThan(0);
    // Compared over the same stretch: getrusage also counts threads that ended before it, which
    // schedstat no longer lists. Between the paired reads only microseconds pass.
    expect(node1 - node0).toBeGreaterThan(0.02);
    expect(Math.abs(ours1 - ours0 - (node1 - node0))).toBeLessThan(0.005);
    // Not rounded to 10 ms ticks.
    const readings = Array.from({ length: 20 }, () => {
      for (let i = 0; i < 2e5; i++) x += i % 3;
      return cpuSeconds(process.pid)!;
    });
    expect(readings.some((r) => Math.abs(r * 100 - Math.round(r * 100)) > 1e-6)).toBe(true);
  });

  it('is undefined for a process that is gone', () => {
    expect(cpuSeconds(2 ** 22 + 12_345)).toBeUndefined();
  });
});
