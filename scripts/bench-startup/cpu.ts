// CPU time (user + system, every thread) of a child process, two ways: one for a command that
// runs to its end, one for a process still running (a node that has just said `ready`).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Runs the command to its end under bash and returns its CPU seconds from bash's `times`
 * (getrusage of the waited-for children, millisecond resolution). Output is discarded. */
export function cpuOfExitedCommand(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const out = execFileSync('bash', ['-c', '"$@" >/dev/null 2>&1; times', 'bench', command, ...args], {
    env,
    encoding: 'utf8',
  });
  // `times` prints the shell's own user/system line, then its children's: "0m0.041s 0m0.012s".
  const children = out.trim().split('\n').at(-1) ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2) throw new Error(`cannot read CPU times from bash's times: ${out}`);
  return seconds[0]! + seconds[1]!;
}

/** CPU seconds a running process has used so far: the sum of its threads' run time in
 * /proc/PID/task/TID/schedstat (nanoseconds), or /proc/PID/stat (10 ms ticks) where the kernel
 * keeps no schedstat. */
export function cpuOfLiveProcess(pid: number | undefined): number {
  if (pid === undefined) throw new Error('the process has no pid (it did not start)');
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    if (Number.isFinite(ns) && ns > 0) return ns / 1e9;
  } catch {
    // no schedstat: fall through to the coarser ticks
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}
