import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/commands/command-parser.js';

describe('/connect', () => {
  it('takes one code or KEY@IP[:PORT]', () => {
    expect(parseCommand('/connect lcabc')).toEqual({
      ok: true,
      command: { name: 'connect', target: 'lcabc' },
    });
    expect(parseCommand('/CONNECT  lanchat://invite/lcabc ')).toEqual({
      ok: true,
      command: { name: 'connect', target: 'lanchat://invite/lcabc' },
    });
  });

  it('explains its usage when given nothing or too much', () => {
    for (const line of ['/connect', '/connect a b']) {
      expect(parseCommand(line)).toEqual({ ok: false, error: 'usage: /connect CODE' });
    }
  });
});
