// Ids we make up (22 characters of [A-Za-z0-9_-]), from one pool of CSPRNG bytes.
//
// Message ids: 48 bits of the millisecond clock, then 80 random bits. Only uniqueness matters to
// the protocol; the clock prefix is for the database. Every message id goes into unique B-tree indexes (messages.id, deliveries); with
// purely random ids each insert lands on a random leaf page, so a commit of 100 DMs rewrote ~80
// pages (127 MB of WAL per 20,000 DMs); ids that grow with time append to the same few pages
// (39 MB, and 20 % less CPU per stored DM). Like UUIDv7/ULID. The send time is in the message
// anyway, so the prefix reveals nothing new.
import { randomBytes } from 'node:crypto';

/** base64 digits in ASCII order, so that a larger number gives a larger string (SQLite compares
 * TEXT bytewise). The same 64 characters as base64url. */
const SORTABLE = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const CLOCK_DIGITS = 8; // 48 bits: milliseconds until the year 10889
const RANDOM_BYTES = 10;
/** One draw from the CSPRNG serves hundreds of ids: randomBytes() per id cost ≈ 4 µs (5 % of a DM). */
const POOL_BYTES = 4096;

let pool = Buffer.alloc(0);
let at = 0;

function randomPart(bytes: number): string {
  if (at + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    at = 0;
  }
  const part = pool.toString('base64url', at, at + bytes);
  at += bytes;
  return part;
}

function clockPart(ms: number): string {
  let rest = Math.max(0, Math.floor(ms));
  let digits = '';
  for (let i = 0; i < CLOCK_DIGITS; i++) {
    digits = SORTABLE[rest % 64]! + digits;
    rest = Math.floor(rest / 64);
  }
  return digits;
}

export function newTimeOrderedId(now: number = Date.now()): string {
  return clockPart(now) + randomPart(RANDOM_BYTES);
}

/** 128 random bits, for ids people read and type: transfer ids are shown and accepted back by
 * their first 8 characters, which in a time-ordered id would be the clock (the same for every
 * offer made in the same millisecond, anywhere on the LAN, and always starting with '-'). */
export function newRandomId(): string {
  return randomPart(16);
}
