import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type StopReason, settleOnce } from '../../src/cli/settle-once.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A tracker that logs what happens to it and stops with the reason as its outcome. */
function logging(log: string[], onBegin: (settle: { outcome(v: string): void }) => void = () => {}) {
  return (settle: { outcome(v: string): void; error(e: unknown): void }) => ({
    stop: (reason: StopReason) => {
      log.push(`stop:${reason}`);
      settle.outcome(reason);
    },
    cleanup: () => log.push('cleanup'),
    begin: () => {
      log.push('begin');
      onBegin(settle);
    },
  });
}

describe('settleOnce', () => {
  it('settles with the outcome once, cleans up once, and ignores the deadline afterwards', async () => {
    const log: string[] = [];
    const result = settleOnce(
      { timeoutMs: 1000 },
      logging(log, (s) => s.outcome('done')),
    );
    await expect(result).resolves.toBe('done');
    vi.advanceTimersByTime(5000);
    expect(log).toEqual(['begin', 'cleanup']);
  });

  it('stops at the deadline', async () => {
    const log: string[] = [];
    const result = settleOnce({ timeoutMs: 1000 }, logging(log));
    vi.advanceTimersByTime(999);
    expect(log).toEqual(['begin']);
    vi.advanceTimersByTime(1);
    await expect(result).resolves.toBe('deadline');
    expect(log).toEqual(['begin', 'stop:deadline', 'cleanup']);
  });

  it('stops on abort, and before it begins when the signal was already aborted', async () => {
    const controller = new AbortController();
    const log: string[] = [];
    const result = settleOnce({ timeoutMs: 1000, signal: controller.signal }, logging(log));
    controller.abort();
    await expect(result).resolves.toBe('stopping');
    expect(log).toEqual(['begin', 'stop:stopping', 'cleanup']);

    const early: string[] = [];
    await expect(settleOnce({ timeoutMs: 1000, signal: AbortSignal.abort() }, logging(early))).resolves.toBe(
      'stopping',
    );
    expect(early).toEqual(['stop:stopping', 'cleanup']);
  });

  it('rejects with the error the tracker reports', async () => {
    const result = settleOnce<string>({ timeoutMs: 1000 }, (settle) => ({
      stop: () => {},
      cleanup: () => {},
      begin: () => settle.error(new Error('no such nick')),
    }));
    await expect(result).rejects.toThrow('no such nick');
  });
});
