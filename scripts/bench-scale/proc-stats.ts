// CPU time and resident memory of a process, read from /proc (Linux): the bench measures what
// each node really consumed, not wall time on a shared machine.
import { readFileSync } from 'node:fs';
import { cpuOfLiveProcess } from '../bench-startup/cpu.js';

/**
 * CPU seconds the process has used so far (undefined when it is gone), from the scheduler's
 * per-thread nanoseconds (bench-startup's cpuOfLiveProcess): /proc/PID/stat's 10 ms ticks made an
 * arrival's cost to each member read in steps of 10 ms (−2 to 24 ms for one arrival).
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    return cpuOfLiveProcess(pid);
  } catch {
    return undefined; // gone
  }
}

/** Resident set size in MB (VmRSS). */
export function rssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The whole machine's CPU time so far, in USER_HZ ticks over all cores: busy (everything but
 * idle and iowait) and total. Two readings give how busy the machine was in between. */
export function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

/** Fraction of the machine's CPU (all cores) that was busy between two machineCpu() readings. */
export function busyBetween(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  return b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : Number.NaN;
}
