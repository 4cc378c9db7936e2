// Discovery says a peer went (its records expired, or a goodbye) while we are still dialling it.
// Its records go early when queries for them stay unanswered for 10 s (POOF, RFC 6762 §10.5),
// which is also what a process that stands still looks like: at 100 at once on 2 cores, 435 dials
// in one traced run were cancelled that way. The dial goes on; the hint goes only when a dial
// finds nobody there, or after LOST_GRACE_MAX_MS (node.ts withdrawnDialFailed).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/transport/transport.js';
import { aliceDiallingBob, NodeFixture, onlineIds, waitFor } from './node-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Not "nobody there": a connect whose timer fired late because our own loop stood still.
const busy = () => new TransportError('timeout', 'no answer in time (test)', { ownStall: true });
const refused = () => new TransportError('refused', 'refused (test)');

describe('node: discovery saying a peer went does not cancel the dial under way', () => {
  it('a peer whose records expire while its dials fail for load is still dialled, and linked', async () => {
    let failing = true;
    const t = await aliceDiallingBob(fx, { dialToBob: () => (failing ? busy() : undefined) });
    await waitFor('a dial failed', () => t.dials() > 0);
    t.heard.expire(t.bobKey); // POOF: nobody answered for bob for 10 s
    expect(t.bob()?.hint).toBeDefined();
    await sleep(500); // a few more attempts fail
    failing = false;
    await waitFor('linked', () => onlineIds(t.a).length === 1, 10_000);
    expect(t.bob()?.hintWithdrawnAt).toBeUndefined();
  });

  it('the same with a goodbye (anybody can multicast one for any key)', async () => {
    let failing = true;
    const t = await aliceDiallingBob(fx, { dialToBob: () => (failing ? busy() : undefined) });
    await waitFor('a dial failed', () => t.dials() > 0);
    t.heard.goodbye(t.bobKey);
    await sleep(500);
    failing = false;
    await waitFor('linked', () => onlineIds(t.a).length === 1, 10_000);
  });

  it('a peer whose records expired is no longer dialled once a dial finds nobody there', async () => {
    let answer: () => Error = busy;
    const t = await aliceDiallingBob(fx, { dialToBob: () => answer() });
    await waitFor('a dial failed', () => t.dials() > 0);
    t.heard.expire(t.bobKey);
    answer = refused; // its process is gone: nothing listens
    await waitFor('hint dropped', () => t.bob()?.hint === undefined, 10_000);
    const dials = t.dials();
    await sleep(1_000); // FAST_BACKOFF retries are sub-second
    expect(t.dials()).toBe(dials);
  });

  it('a peer whose records expired and whose dials keep failing for load is given up after the bound', async () => {
    const bound = 1_500; // LOST_GRACE_MAX_MS, shortened
    const t = await aliceDiallingBob(fx, { dialToBob: busy, init: { lostGraceMaxMs: bound } });
    await waitFor('a dial failed', () => t.dials() > 0);
    t.heard.expire(t.bobKey);
    await sleep(bound / 2);
    expect(t.bob()?.hint).toBeDefined(); // still tried within the bound
    await waitFor('hint dropped', () => t.bob()?.hint === undefined, 10_000);
    const dials = t.dials();
    await sleep(1_000);
    expect(t.dials()).toBe(dials);
  });
});
