import { describe, expect, it } from 'vitest';
import { MAX_AHEAD_MS, tooFarAhead } from '../../src/core/message-clock.js';

describe('message clock', () => {
  it('refuses a timestamp more than five minutes ahead of ours, and nothing older', () => {
    const now = 1_700_000_000_000;
    expect(tooFarAhead(now + MAX_AHEAD_MS, now)).toBe(false);
    expect(tooFarAhead(now + MAX_AHEAD_MS + 1, now)).toBe(true);
    expect(tooFarAhead(0, now)).toBe(false);
  });
});
