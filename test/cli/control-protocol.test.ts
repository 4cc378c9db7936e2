// The control socket's wire format on its own: every request a local process could write is
// either a valid request or a typed refusal, never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ControlError,
  encodeLine,
  isFinalReply,
  LineSplitter,
  MAX_REQUEST_BYTES,
  MAX_TIMEOUT_MS,
  parseReply,
  parseRequest,
  reply,
} from '../../src/cli/control-protocol.js';

const send = (fields: Record<string, unknown>) =>
  JSON.stringify({ v: 1, cmd: 'send', to: 'bob', text: 'hi', timeoutMs: 1000, ...fields });

describe('parseRequest', () => {
  it('accepts send to a nick, send to a room and peers, echoing ref', () => {
    expect(parseRequest(send({ ref: 'r1' }))).toEqual({
      ok: true,
      request: { v: 1, ref: 'r1', cmd: 'send', to: 'bob', text: 'hi', timeoutMs: 1000 },
    });
    expect(parseRequest(send({ to: undefined, room: '#dev' }))).toMatchObject({
      ok: true,
      request: { cmd: 'send', room: '#dev' },
    });
    expect(parseRequest('{"v":1,"cmd":"peers","extra":true}')).toEqual({
      ok: true,
      request: { v: 1, cmd: 'peers' },
    });
    expect(parseRequest('{"v":1,"cmd":"diagnose","ref":"d1"}')).toEqual({
      ok: true,
      request: { v: 1, cmd: 'diagnose', ref: 'd1' },
    });
    expect(
      parseReply('{"v":1,"type":"diagnosis","diagnosis":{"nick":"a","port":7475,"peers":[]}}'),
    ).toMatchObject({
      type: 'diagnosis',
      diagnosis: { peers: [] },
    });
  });

  it.each([
    ['not json', 'bad-json'],
    ['[1,2]', 'bad-request'],
    ['null', 'bad-request'],
    ['"send"', 'bad-request'],
    ['{"v":2,"cmd":"peers"}', 'unsupported-version'],
    ['{"cmd":"peers"}', 'unsupported-version'],
    ['{"v":1,"cmd":"rm -rf"}', 'unknown-command'],
    ['{"v":1}', 'unknown-command'],
    ['{"v":1,"cmd":"peers","ref":7}', 'bad-request'],
    [send({ to: undefined }), 'bad-request'],
    [send({ room: '#dev' }), 'bad-request'],
    [send({ to: '' }), 'bad-request'],
    [send({ to: 'x'.repeat(129) }), 'bad-request'],
    [send({ to: 'bo\u001bb' }), 'bad-request'],
    [send({ to: undefined, room: 'general' }), 'bad-request'],
    [send({ to: undefined, room: '#a b' }), 'bad-request'],
    [send({ text: '' }), 'bad-request'],
    [send({ text: 42 }), 'bad-request'],
    [send({ text: 'x'.repeat(16 * 1024 + 1) }), 'bad-request'],
    [send({ timeoutMs: -1 }), 'bad-request'],
    [send({ timeoutMs: 1.5 }), 'bad-request'],
    [send({ timeoutMs: MAX_TIMEOUT_MS + 1 }), 'bad-request'],
    [send({ timeoutMs: '10' }), 'bad-request'],
  ])('refuses %s with %s', (line, code) => {
    const parsed = parseRequest(line);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.code).toBe(code);
  });

  it('keeps the ref on refusals so the client can match them', () => {
    expect(parseRequest('{"v":1,"cmd":"nope","ref":"a"}')).toMatchObject({ ok: false, ref: 'a' });
  });

  it('never throws, whatever the line', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (line) => {
          const parsed = parseRequest(line);
          expect(typeof parsed.ok).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a 16 KiB message of newlines and quotes (twice its size in JSON) fits a request line', () => {
    const text = '"\n'.repeat(8 * 1024);
    expect(Buffer.byteLength(text)).toBe(16 * 1024);
    const line = encodeLine({ v: 1, cmd: 'send', to: 'bob', text, timeoutMs: 0 });
    expect(Buffer.byteLength(line)).toBeLessThan(MAX_REQUEST_BYTES);
    expect(parseRequest(line.trim()).ok).toBe(true);
  });
});

describe('parseReply', () => {
  it('accepts what the server encodes and tells progress from final replies', () => {
    const sent = reply({ type: 'sent', id: 'm', queued: false, recipients: [], room: '#general' }, '1');
    expect(parseReply(encodeLine(sent).trim())).toEqual(sent);
    expect(isFinalReply(sent)).toBe(false);
    expect(isFinalReply(reply({ type: 'delivered', id: 'm', to: { id: 'b', nick: 'bob' } }, '1'))).toBe(
      false,
    );
    expect(isFinalReply(reply({ type: 'done', id: 'm', delivered: [] }, '1'))).toBe(true);
    expect(isFinalReply(reply({ type: 'error', code: 'x', message: 'y' }, undefined))).toBe(true);
  });

  it.each([
    'garbage',
    '{"v":2,"type":"peers","peers":[]}',
    '{"v":1,"type":"launch"}',
    '{"v":1,"type":"diagnosis"}',
    '{"v":1,"type":"diagnosis","diagnosis":{"peers":{}}}',
    '{"v":1,"type":"delivered","id":"m","to":"bob"}',
    '{"v":1,"type":"timeout","id":"m","delivered":[],"pending":[{"id":1}]}',
  ])('refuses %s as bad-reply', (line) => {
    expect(() => parseReply(line)).toThrow(ControlError);
    try {
      parseReply(line);
    } catch (err) {
      expect((err as ControlError).code).toBe('bad-reply');
    }
  });
});

describe('LineSplitter', () => {
  it('reassembles lines from any chunking, multi-byte characters included', () => {
    const text = 'héllo 你好 👋\n{"a":1}\r\nlast\n';
    const bytes = Buffer.from(text);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const splitter = new LineSplitter(1024);
        const lines: string[] = [];
        let start = 0;
        for (const p of [...points, bytes.length]) {
          lines.push(...splitter.push(bytes.subarray(start, p)));
          start = p;
        }
        expect(lines).toEqual(['héllo 你好 👋', '{"a":1}', 'last']);
      }),
    );
  });

  it('refuses a line over the limit, also when it arrives in small pieces', () => {
    const splitter = new LineSplitter(10);
    expect(splitter.push(Buffer.from('0123456789\n'))).toEqual(['0123456789']);
    splitter.push(Buffer.from('01234'));
    expect(() => splitter.push(Buffer.from('567890'))).toThrow(/longer than 10 bytes/);
  });

  it('refuses invalid UTF-8', () => {
    const splitter = new LineSplitter(100);
    try {
      splitter.push(Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
      expect.unreachable();
    } catch (err) {
      expect((err as ControlError).code).toBe('bad-encoding');
    }
  });
});
