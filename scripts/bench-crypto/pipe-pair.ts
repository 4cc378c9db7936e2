// A minimal in-memory connection for the handshake benchmarks (the drivers only need a Duplex).
// Each write reaches the other end on a later turn of the event loop, as a socket's would.
import { Duplex } from 'node:stream';

export function pipePair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  for (let i = 0; i < 2; i++) {
    ends.push(
      new Duplex({
        read() {},
        write(chunk: Buffer, _enc, cb) {
          setImmediate(() => {
            ends[1 - i]!.push(chunk);
            cb();
          });
        },
        final(cb) {
          setImmediate(() => ends[1 - i]!.push(null));
          cb();
        },
      }),
    );
  }
  return [ends[0]!, ends[1]!];
}
