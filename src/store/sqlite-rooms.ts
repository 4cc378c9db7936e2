// Rooms this node joined (#general always) and the membership learned from peers, which tells a
// returning member whom it can ask for the messages it missed.
import type Database from 'better-sqlite3';
import { roomKey } from '../protocol/names.js';
import { guard, invalidInput, type StoreContext } from './sqlite-errors.js';
import { GENERAL_ROOM, type RoomStore } from './store.js';

export function createRoomStore(db: Database.Database, context: StoreContext): RoomStore {
  const joined = db.prepare(`SELECT name FROM rooms ORDER BY name <> '${GENERAL_ROOM}', joined_at, name`);
  const join = db.prepare('INSERT INTO rooms (name, joined_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
  const part = db.prepare('DELETE FROM rooms WHERE name = ?');
  const addMember = db.prepare(
    `INSERT INTO room_members (room, member_id, last_seen) VALUES (@room, @memberId, @at)
     ON CONFLICT (room, member_id) DO UPDATE SET last_seen = max(last_seen, @at)`,
  );
  const removeMember = db.prepare('DELETE FROM room_members WHERE room = ? AND member_id = ?');
  const members = db.prepare(
    'SELECT member_id FROM room_members WHERE room = ? ORDER BY last_seen DESC, member_id',
  );

  // Names arrive normalised (protocol/names.ts, roomKey) on every path; one that is not is a bug
  // that would split a room in two, so it is refused rather than quietly normalised here.
  const checked = (room: string): string => {
    const key = roomKey(room);
    if (!key.ok) throw invalidInput(context, `${room}: ${key.problem}`);
    if (key.room !== room) throw invalidInput(context, `${room} is not a normalised room name (${key.room})`);
    return room;
  };

  return {
    joined() {
      return guard(context, 'read rooms from', () =>
        (joined.all() as { name: string }[]).map((row) => row.name),
      );
    },
    join(room) {
      return guard(context, 'join a room in', () => join.run(checked(room), context.now()).changes > 0);
    },
    part(room) {
      if (room === GENERAL_ROOM) return false;
      return guard(context, 'part a room in', () => part.run(room).changes > 0);
    },
    addMember(room, memberId) {
      guard(context, 'record a room member in', () =>
        addMember.run({ room: checked(room), memberId, at: context.now() }),
      );
    },
    removeMember(room, memberId) {
      return guard(context, 'remove a room member in', () => removeMember.run(room, memberId).changes > 0);
    },
    members(room) {
      return guard(context, 'read room members from', () =>
        (members.all(room) as { member_id: string }[]).map((row) => row.member_id),
      );
    },
  };
}
