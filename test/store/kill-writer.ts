// Child process for sqlite-crash.test.ts: stores messages as fast as it can and prints each id once
// saveIncoming has returned, i.e. once the node would ack it. The parent kills it with SIGKILL.
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const [path] = process.argv.slice(2);
const store = openSqliteStore({ path: path! });
let i = 0;
const tick = (): void => {
  for (let n = 0; n < 50; n++, i++) {
    store.messages.saveIncoming({
      id: `k-${i}`,
      conversation: '#general',
      senderId: 'A'.repeat(43),
      senderNick: 'alice',
      text: `message ${i} 你好`,
      kind: 'text',
      ts: 1_700_000_000_000 + i,
      receivedAt: 1_700_000_000_000 + i,
      direction: 'in',
      history: false,
    });
    process.stdout.write(`k-${i}\n`);
  }
  setImmediate(tick);
};
tick();
