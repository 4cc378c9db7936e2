// A child process seen through its output lines: tests wait for a parsed line that satisfies a
// predicate, with a deadline, instead of sleeping. Failures carry the recent output and stderr,
// because "timed out" alone is useless when a node three namespaces away misbehaved.
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

/** One parsed stdout line, stamped with performance.now() when it arrived. */
export interface Timed<T> {
  at: number;
  event: T;
}

export type LineParser<T> = (line: string) => T | undefined;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** JSON lines as the headless lanchat interface prints them; other lines are kept as text. */
export type JsonEvent = { type?: string } & Record<string, unknown>;

export const parseJsonLine: LineParser<JsonEvent> = (line) => {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? (value as JsonEvent) : undefined;
  } catch {
    return undefined;
  }
};

const TAIL_CHARS = 4000;

export class ProcessHandle<T = JsonEvent> {
  readonly label: string;
  readonly startedAt = performance.now();
  /** Parsed stdout lines, in arrival order. */
  readonly events: T[] = [];
  readonly timeline: Timed<T>[] = [];
  /** stdout lines the parser did not accept. */
  readonly otherLines: string[] = [];
  readonly stderrLines: string[] = [];
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ExitStatus>;
  exitStatus: ExitStatus | undefined;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(child: ChildProcess, label: string, parse: LineParser<T>) {
    this.child = child;
    this.label = label;
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const event = parse(line);
        if (event === undefined) this.otherLines.push(line);
        else {
          this.events.push(event);
          this.timeline.push({ at: performance.now(), event });
        }
        this.wake();
      });
    }
    if (child.stderr) {
      createInterface({ input: child.stderr }).on('line', (line) => {
        this.stderrLines.push(line);
        this.wake();
      });
    }
    // stdin errors (EPIPE after the child exits) must not crash the test process.
    child.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      child.on('error', (err) => {
        this.stderrLines.push(`spawn error: ${err.message}`);
        this.exitStatus ??= { code: null, signal: null };
        this.wake();
        resolve(this.exitStatus);
      });
      child.on('close', (code, signal) => {
        this.exitStatus = { code, signal };
        this.wake();
        resolve(this.exitStatus);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stderr(): string {
    return this.stderrLines.join('\n');
  }

  /** Writes one line to stdin (e.g. `/quit`). */
  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.exitStatus === undefined) this.child.kill(signal);
  }

  /** Resolves with the first event (at or after `fromIndex`) that satisfies `predicate`;
   * rejects at the deadline or as soon as the process exits without producing it. */
  waitFor(
    predicate: (event: T) => boolean,
    timeoutMs: number,
    options: { what?: string; fromIndex?: number } = {},
  ): Promise<T> {
    const what = options.what ?? 'a matching event';
    // Each event is offered to the predicate once, as it arrives. Rescanning every event on every
    // new line made a wait O(lines²) in the test process: with a predicate that counts events
    // itself (`() => delivered().length === 1000`), O(lines³). Past a few thousand lines the test
    // then read its nodes' output at ~25 lines/s while the nodes sat idle, and a 1,000-DM test
    // took 13–110 s (issue 16's flaky test).
    let next = options.fromIndex ?? 0;
    return this.until(
      () => {
        for (; next < this.events.length; next++) {
          const event = this.events[next]!;
          if (predicate(event)) return event;
        }
        return undefined;
      },
      timeoutMs,
      what,
    );
  }

  /** Like waitFor, for stderr lines (daemons such as avahi report readiness there). */
  waitForStderr(pattern: RegExp, timeoutMs: number): Promise<string> {
    return this.until(() => this.stderrLines.find((l) => pattern.test(l)), timeoutMs, `stderr ${pattern}`);
  }

  /** Waits for exit; rejects at the deadline (the process is then left to the caller). */
  async waitForExit(timeoutMs: number): Promise<ExitStatus> {
    await this.until(() => this.exitStatus, timeoutMs, 'exit', false);
    return this.exitStatus!;
  }

  /** A readable account of what the process did, for assertion messages. */
  describe(): string {
    const out = this.timeline.map((t) => JSON.stringify(t.event)).join('\n');
    const other = this.otherLines.join('\n');
    return [
      `--- ${this.label} (exit ${JSON.stringify(this.exitStatus ?? 'running')})`,
      `events:\n${tail(out)}`,
      other ? `other stdout:\n${tail(other)}` : '',
      `stderr:\n${tail(this.stderr)}`,
    ]
      .filter(Boolean)
      .join('\n');
  }

  private until<R>(
    probe: () => R | undefined,
    timeoutMs: number,
    what: string,
    failOnExit = true,
  ): Promise<R> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = probe();
        if (found !== undefined) {
          finish();
          resolve(found);
          return true;
        }
        if (failOnExit && this.exitStatus !== undefined) {
          finish();
          reject(new Error(`${this.label} exited before ${what}\n${this.describe()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.label}: no ${what} within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => {
        check();
      };
      if (!check()) this.waiters.add(waiter);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function tail(text: string): string {
  return text.length > TAIL_CHARS ? `…${text.slice(-TAIL_CHARS)}` : text;
}
