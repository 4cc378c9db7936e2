// bench:scale counts the floor's warnings by kind and by phase (the day, while it quit, the next
// morning): a handshake a stopping node hangs up on must not read as a failure of the day.
import { describe, expect, it } from 'vitest';
import { type FloorNode, warningKinds } from '../../scripts/bench-scale/floor.js';

const node = (lines: [number, Record<string, unknown>][]) =>
  ({ process: { timeline: lines.map(([at, event]) => ({ at, event })) } }) as unknown as FloorNode;

describe('warningKinds', () => {
  const floor = [
    node([
      [
        10,
        { type: 'warning', code: 'handshake-failed', message: 'from 10.0.0.7: no handshake within 10000 ms' },
      ],
      [20, { type: 'peer_online' }],
      [90, { type: 'warning', code: 'handshake-failed', message: 'hung up on message 3' }],
    ]),
    node([
      [
        15,
        {
          type: 'warning',
          code: 'handshake-failed',
          message: 'from fe80::1%eth0: no handshake within 9000 ms',
        },
      ],
      [95, { type: 'error', code: 'store-failed', message: 'disk full' }],
    ]),
  ];

  it('groups warnings and errors by kind, addresses and numbers taken out', () => {
    expect([...warningKinds(floor)]).toEqual([
      ['handshake-failed: from ADDR: no handshake within N ms', 2],
      ['handshake-failed: hung up on message N', 1],
      ['store-failed: disk full', 1],
    ]);
  });

  it('counts only the lines printed in the phase asked for', () => {
    const quitAt = 50;
    expect([...warningKinds(floor, (at) => at < quitAt)]).toEqual([
      ['handshake-failed: from ADDR: no handshake within N ms', 2],
    ]);
    expect([...warningKinds(floor, (at) => at >= quitAt)].map(([kind]) => kind)).toEqual([
      'handshake-failed: hung up on message N',
      'store-failed: disk full',
    ]);
  });
});
