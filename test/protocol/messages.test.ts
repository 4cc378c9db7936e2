import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  ProtocolError,
  type WireMessage,
} from '../../src/protocol/messages.js';

const bytes = (value: unknown) =>
  new Uint8Array(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));
const SIG = `${'A'.repeat(86)}==`;
const ID = `${'a'.repeat(42)}A`;

describe('application messages', () => {
  it('round-trips every message type', () => {
    const all: WireMessage[] = [
      {
        t: 'hello',
        v: 1,
        nick: 'alice',
        presence: 'away',
        status: 'lunch',
        caps: ['dm'],
        rooms: ['#general', '#dev'],
      },
      { t: 'msg', id: 'abc_-w', ts: 5, text: '你好，世界 👋', kind: 'text' },
      { t: 'msg', id: 'rA', ts: 6, text: 'hi all', kind: 'action', room: '#general', sig: SIG },
      {
        t: 'msg',
        id: 'rQ',
        ts: 7,
        text: 'v2',
        kind: 'text',
        room: '#general',
        sig: SIG,
        sv: 2,
        nick: 'alice',
      },
      { t: 'ack', id: 'abc' },
      { t: 'ping', n: 1 },
      { t: 'pong', n: 1 },
      { t: 'join', room: '#dev' },
      { t: 'part', room: '#dev' },
      { t: 'nick', nick: 'bob' },
      { t: 'close', reason: 'replaced' },
      { t: 'close', reason: 'refused' },
      { t: 'close', reason: 'quit' },
      { t: 'presence', presence: 'busy', status: 'call' },
      { t: 'typing', active: true },
      { t: 'read', ids: ['aA', 'bA'] },
      { t: 'catchup_req', room: '#general', since: 0, limit: 1000 },
      {
        t: 'catchup',
        room: '#general',
        done: true,
        messages: [
          { id: 'mA', ts: 1, text: 'x', kind: 'text', author: ID, nick: 'alice', sig: SIG },
          { id: 'mQ', ts: 2, text: 'y', kind: 'text', author: ID, nick: 'alice', sig: SIG, sv: 2 },
        ],
      },
    ];
    for (const m of all) expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it('reads a close reason it does not know as quit (a newer peer leaving for its own reason)', () => {
    expect(decodeMessage(bytes({ t: 'close', reason: 'moved' }))).toEqual({ t: 'close', reason: 'quit' });
  });

  it('ignores a well-formed message of a type from a newer version', () => {
    expect(decodeMessage(bytes({ t: 'hologram', anything: [1, 2] }))).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"t":'],
    ['an array', [1, 2]],
    ['no type', { id: 'x' }],
    ['an id with a path', { t: 'ack', id: '../../etc' }],
    ['an over-long id', { t: 'ack', id: 'a'.repeat(65) }],
    ['an empty text', { t: 'msg', id: 'aA', ts: 1, text: '' }],
    ['text over 16 KiB', { t: 'msg', id: 'aA', ts: 1, text: '世'.repeat(6000) }],
    ['a negative timestamp', { t: 'msg', id: 'aA', ts: -1, text: 'x' }],
    ['a fractional timestamp', { t: 'msg', id: 'aA', ts: 1.5, text: 'x' }],
    ['a room without #', { t: 'join', room: 'general' }],
    ['a room with spaces', { t: 'join', room: '#a b' }],
    ['a nick with an escape sequence', { t: 'nick', nick: 'alice\u001b[2J' }],
    ['a nick with a bidi override', { t: 'nick', nick: 'ecila\u202e' }],
    ['a nick with a line separator', { t: 'nick', nick: 'al\u2028ice' }],
    ['a padded nick', { t: 'nick', nick: ' alice' }],
    ['a bad signature', { t: 'msg', id: 'aA', ts: 1, text: 'x', room: '#general', sig: 'short' }],
    [
      'too many read ids',
      {
        t: 'read',
        ids: Array.from({ length: 257 }, (_, i) => Buffer.from([i >> 8, i & 255]).toString('base64url')),
      },
    ],
    ['a huge catch-up batch', { t: 'catchup', room: '#g', done: true, messages: new Array(51).fill({}) }],
    [
      'a relayed message without author',
      {
        t: 'catchup',
        room: '#g',
        done: true,
        messages: [{ id: 'aA', ts: 1, text: 'x', nick: 'n', sig: SIG }],
      },
    ],
    // One encoding per id, key and signature: the padding bits of the last base64 digit are zero.
    ['a non-canonical id (padding bits set)', { t: 'ack', id: 'BBBBBBBBBBBBBBBBBBBBBB' }],
    ['an id of impossible length', { t: 'ack', id: 'abcde' }],
    [
      'a non-canonical author',
      {
        t: 'catchup',
        room: '#g',
        done: true,
        messages: [{ id: 'aA', ts: 1, text: 'x', nick: 'n', author: 'a'.repeat(43), sig: SIG }],
      },
    ],
    [
      'a non-canonical signature',
      { t: 'msg', id: 'aA', ts: 1, text: 'x', room: '#g', sig: `${'A'.repeat(85)}B==` },
    ],
    ['an unknown signature version', { t: 'msg', id: 'aA', ts: 1, text: 'x', room: '#g', sig: SIG, sv: 3 }],
    ['a hello with a non-list of rooms', { t: 'hello', v: 1, nick: 'a', rooms: '#general', caps: [] }],
  ])('rejects %s with a ProtocolError', (_, value) => {
    expect(() => decodeMessage(bytes(value))).toThrow(ProtocolError);
  });

  it('normalises room names on the wire: case, fullwidth forms and decomposed accents are one room', () => {
    expect(decodeMessage(bytes({ t: 'join', room: '#DEV' }))).toEqual({ t: 'join', room: '#dev' });
    expect(decodeMessage(bytes({ t: 'join', room: '＃ｄｅｖ' }))).toEqual({ t: 'join', room: '#dev' });
    expect(decodeMessage(bytes({ t: 'part', room: '#cafe\u0301' }))).toEqual({
      t: 'part',
      room: '#caf\u00e9',
    });
    const hello = decodeMessage(
      bytes({ t: 'hello', v: 1, nick: 'a', caps: [], rooms: ['#Dev', '#dev', '#DEV'] }),
    );
    expect(hello).toMatchObject({ rooms: ['#dev'] });
  });

  it('drops invalid room names inside a hello instead of failing the whole hello', () => {
    const hello = decodeMessage(
      bytes({ t: 'hello', v: 1, nick: 'a', caps: [], rooms: ['#ok', 'bad', '#x y'] }),
    );
    expect(hello).toMatchObject({ rooms: ['#ok'] });
  });
});
