// scripts/floor-capture.ts sorts a floor's datagrams into the kinds a start is made of; the
// README's capture figures rest on this telling them apart.
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { datagramKind } from '../../scripts/floor-capture/datagram-kind.js';
import { SERVICE_TYPE } from '../../src/discovery/mdns-names.js';

const INSTANCE = `alice.${SERVICE_TYPE}`;
const HOST = 'lanchat-0a1b2c3d.local';
const srv = { name: INSTANCE, type: 'SRV', ttl: 120, data: { port: 7475, target: HOST } } as const;
const txt = { name: INSTANCE, type: 'TXT', ttl: 4500, data: ['v=1'] } as const;
const a = { name: HOST, type: 'A', ttl: 120, data: '10.0.0.1' } as const;
const ptr = { name: SERVICE_TYPE, type: 'PTR', ttl: 4500, data: INSTANCE } as const;
const encode = (p: object) => dnsPacket.encode(p as dnsPacket.Packet);

describe('datagramKind', () => {
  it('tells queries apart: probe, one-shot, browse and its continuation, other', () => {
    const probe = encode({
      type: 'query',
      questions: [{ name: INSTANCE, type: 'ANY' }],
      authorities: [srv, txt, a],
    });
    expect(datagramKind(probe, 5353)).toBe('probe');
    const browse = encode({
      type: 'query',
      questions: [{ name: SERVICE_TYPE, type: 'PTR' }],
      answers: [ptr],
    });
    expect(datagramKind(browse, 5353)).toBe('browse');
    expect(datagramKind(browse, 40_123)).toBe('one-shot query');
    expect(datagramKind(encode({ type: 'query', answers: [ptr] }), 5353)).toBe('browse, more known answers');
    const resolve = encode({ type: 'query', questions: [{ name: INSTANCE, type: 'SRV' }] });
    expect(datagramKind(resolve, 5353)).toBe('other query');
  });

  it('tells responses apart: announcement, answer to a browse, without PTR, goodbye', () => {
    expect(datagramKind(encode({ type: 'response', answers: [ptr, srv, txt, a] }), 5353)).toBe(
      'announcement',
    );
    expect(datagramKind(encode({ type: 'response', answers: [ptr], additionals: [srv, txt, a] }), 5353)).toBe(
      'answer to a browse',
    );
    expect(datagramKind(encode({ type: 'response', answers: [srv, txt, a] }), 5353)).toBe(
      'response without PTR',
    );
    expect(
      datagramKind(
        encode({
          type: 'response',
          answers: [
            { ...ptr, ttl: 0 },
            { ...srv, ttl: 0 },
          ],
        }),
        5353,
      ),
    ).toBe('goodbye');
    expect(datagramKind(Buffer.from([1, 2, 3]), 5353)).toBe('undecodable');
  });
});
