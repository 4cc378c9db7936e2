// Runs a sub-command with its output collected: what every CLI test needs.
import type { CommandIo } from '../../src/cli/command-io.js';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Calls `run(io)` with stdout/stderr collected into strings; `extra` adds the command's own io
 * fields (stdin, a runtime factory, a user name) and may replace env. */
export async function captured<Io extends CommandIo>(
  run: (io: Io) => Promise<number>,
  extra: Omit<Io, keyof CommandIo> & Partial<CommandIo>,
): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io = {
    env: {},
    ...extra,
    stdout: (t: string) => {
      stdout += t;
    },
    stderr: (t: string) => {
      stderr += t;
    },
  } as Io;
  const code = await run(io);
  return { code, stdout, stderr };
}
