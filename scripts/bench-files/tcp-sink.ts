// The plain-TCP comparison for bench:files: accepts one connection on 127.0.0.1 and writes what it
// reads to a file; prints its port, then the byte count when the sender closed.
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { pipeline } from 'node:stream/promises';

const target = process.argv[2] ?? '';
const server = createServer((socket) => {
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  pipeline(socket, createWriteStream(target)).then(() => {
    process.stdout.write(
      `${JSON.stringify({ type: 'done', bytes, at: performance.timeOrigin + performance.now() })}\n`,
    );
    server.close();
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ type: 'port', port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  );
});
