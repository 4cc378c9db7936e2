// A room full of big messages for catch-up flood tests and bench:hostile: each full catch-up
// answer is then ~4.5 MB on the wire. The signatures are placeholders: the victim serves what it
// stored, and the attacker never checks them.
import type { Store } from '../../src/store/store.js';

export const FLOOD_ROOM = '#big';
export const FLOOD_MESSAGES = 1_000;
const TEXT = 'x'.repeat(4_000);

export function seedFloodRoom(store: Store): void {
  store.rooms.join(FLOOD_ROOM);
  const now = Date.now();
  store.transaction(() => {
    for (let i = 0; i < FLOOD_MESSAGES; i++) {
      store.messages.saveIncoming({
        id: `seed-${i}`,
        conversation: FLOOD_ROOM,
        senderId: 'author',
        senderNick: 'author',
        text: TEXT,
        kind: 'text',
        ts: now - FLOOD_MESSAGES + i,
        receivedAt: now,
        direction: 'in',
        history: false,
        signature: 'sig',
        signatureVersion: 2,
      });
    }
  });
}
