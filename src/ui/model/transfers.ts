// File transfers as the terminal UI shows them: one state per transfer, built from the node's
// file events (and seeded from its /transfers list at start), and the pure formatters for the
// progress bar, sizes, rates and ETAs. Everything that came from a peer (file names, nicks, ids)
// is sanitized on the way in, so the views below only ever see clean text.
import type { TransferView } from '../../core/events.js';
import { ellipsize, stringWidth } from './display-width.js';
import { sanitize, sanitizeName } from './sanitize.js';

export type TransferStateName = TransferView['state'];

export interface TransferState {
  id: string;
  direction: 'in' | 'out';
  peerId: string;
  peerNick: string;
  name: string;
  /** Undefined when not known (a progress event for a transfer the UI never saw offered). */
  size: number | undefined;
  bytes: number;
  /** Bytes per second, as the node smoothed it; 0 while unknown or stalled. */
  rate: number;
  state: TransferStateName;
  path?: string;
  error?: string;
}

/** The characters a transfer id is made of (the protocol checks this; the UI checks it again). */
const ID_CHARS = /[^A-Za-z0-9_-]/g;
const SHORT_ID = 8;

export function cleanId(id: string): string {
  return sanitize(id).replace(ID_CHARS, '');
}

/** The prefix of an id shown to the user and accepted back by /accept, /reject, /cancel. */
export function shortId(id: string): string {
  return cleanId(id).slice(0, SHORT_ID);
}

export class TransferTable {
  private readonly byId = new Map<string, TransferState>();

  get(id: string): TransferState | undefined {
    return this.byId.get(id);
  }

  /** Creates or refreshes a transfer; fields not given keep their value. */
  upsert(id: string, patch: Partial<Omit<TransferState, 'id'>>): TransferState {
    let t = this.byId.get(id);
    if (!t) {
      t = {
        id,
        direction: patch.direction ?? 'in',
        peerId: '',
        peerNick: '?',
        name: shortId(id) || '?',
        size: undefined,
        bytes: 0,
        rate: 0,
        state: 'offered',
      };
      this.byId.set(id, t);
    }
    for (const [k, v] of Object.entries(patch))
      if (v !== undefined) (t as unknown as Record<string, unknown>)[k] = v;
    if (patch.name !== undefined) t.name = sanitizeName(patch.name);
    if (patch.peerNick !== undefined) t.peerNick = sanitizeName(patch.peerNick);
    if (patch.path !== undefined) t.path = sanitize(patch.path);
    if (patch.error !== undefined) t.error = sanitize(patch.error);
    return t;
  }

  /** A transfer as the node lists it (at start, and for /transfers). */
  seed(view: TransferView): TransferState {
    const known = this.byId.get(view.id);
    return this.upsert(view.id, {
      direction: view.direction,
      peerId: view.peer.id,
      peerNick: typeof view.peer.display === 'string' ? view.peer.display : view.peer.nick,
      name: view.name,
      size: view.size,
      // The live count from progress events is newer than the stored one.
      bytes: Math.max(view.bytes, known?.state === 'accepted' ? known.bytes : 0),
      state: view.state,
      ...(view.path !== undefined ? { path: view.path } : {}),
      ...(view.error ? { error: view.error.message } : {}),
    });
  }

  list(): TransferState[] {
    return [...this.byId.values()];
  }

  /** Transfers whose bytes are moving (or about to): the ones with a progress bar. */
  active(): TransferState[] {
    return this.list().filter((t) => t.state === 'accepted');
  }

  /**
   * The full id for what the user typed: the id itself, or an unambiguous prefix (the short id
   * lines show) among the transfers `fits` allows. Unknown input comes back unchanged, so the
   * node answers with its own "no transfer" error.
   */
  resolve(typed: string, fits: (t: TransferState) => boolean = () => true): string {
    if (this.byId.has(typed)) return typed;
    const matches = this.list().filter((t) => fits(t) && t.id.startsWith(typed));
    if (matches.length > 1) {
      throw new Error(
        `${matches.length} transfers start with ${cleanId(typed)}: type more of the id (/transfers)`,
      );
    }
    return matches[0]?.id ?? typed;
  }
}

// ---- formatting ----

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Decimal units as file managers show them: 999 B, 12.3 kB, 85.3 MB, 120 MB, 1.1 GB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '? B';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 999.95 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatRate(rate: number): string {
  return `${formatBytes(Math.max(rate || 0, 0))}/s`;
}

/** m:ss below an hour, h:mm:ss up to 99 hours, --:-- when unknown or longer. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.ceil(seconds);
  if (s >= 100 * 3600) return '--:--';
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export function etaSeconds(t: Pick<TransferState, 'size' | 'bytes' | 'rate'>): number | undefined {
  if (t.size === undefined || t.rate <= 0) return undefined;
  return Math.max(0, t.size - t.bytes) / t.rate;
}

/** Whole percent, never 100 before the last byte; undefined when the size is not known. */
export function percentOf(t: Pick<TransferState, 'size' | 'bytes'>): number | undefined {
  if (t.size === undefined) return undefined;
  if (t.size <= 0 || t.bytes >= t.size) return 100;
  return Math.min(99, Math.floor((Math.max(0, t.bytes) * 100) / t.size));
}

export function arrowOf(direction: 'in' | 'out'): string {
  return direction === 'in' ? '⇣' : '⇡';
}

const BAR_MIN = 5;
const BAR_MAX = 30;
/** A long name is cut to this before the bar gives up cells. */
const NAME_MIN = 12;

function bar(t: TransferState, width: number): string {
  const fraction = t.size === undefined ? 0 : t.size <= 0 ? 1 : Math.min(1, Math.max(0, t.bytes) / t.size);
  const filled = Math.floor(width * fraction);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/**
 * One line of progress, at most `width` cells:
 * `⇣ report.pdf [█████░░░░░] 52% 85.3 MB/s ETA 0:07`. As the width shrinks the ETA goes first,
 * then the rate, then the name is shortened, then the bar; an unknown size shows bytes so far.
 */
export function progressLine(t: TransferState, width: number): string {
  if (width <= 0) return '';
  const pct = percentOf(t);
  const tail =
    pct === undefined
      ? [formatBytes(t.bytes), formatRate(t.rate)]
      : [`${pct}%`.padStart(4), formatRate(t.rate), `ETA ${formatEta(etaSeconds(t))}`];
  const head = `${arrowOf(t.direction)} `;
  const nameWidth = stringWidth(t.name);
  for (let keep = tail.length; keep >= 1; keep--) {
    const tailText = tail
      .slice(0, keep)
      .map((p) => ` ${p}`)
      .join('');
    // head + name + " [" + bar + "]" + tail
    const room = width - stringWidth(head) - 3 - stringWidth(tailText);
    if (room < Math.min(nameWidth, NAME_MIN) + BAR_MIN) continue;
    const barWidth = Math.min(BAR_MAX, Math.max(BAR_MIN, room - nameWidth));
    const name = ellipsize(t.name, room - barWidth);
    return `${head}${name} [${bar(t, barWidth)}]${tailText}`;
  }
  // Very narrow: no bar, the name as far as it fits and the percentage (or bytes so far).
  const last = ` ${tail[0]?.trim() ?? ''}`;
  const nameRoom = width - stringWidth(head) - stringWidth(last);
  if (nameRoom < 1) return ellipsize(`${head}${last.trim()}`, width);
  return `${head}${ellipsize(t.name, nameRoom)}${last}`;
}

/** The line /transfers prints for one transfer. */
export function describeTransfer(t: TransferState): string {
  const id = shortId(t.id);
  const size = t.size === undefined ? '' : ` (${formatBytes(t.size)})`;
  const who = t.direction === 'in' ? `from ${t.peerNick}` : `to ${t.peerNick}`;
  const head = `${arrowOf(t.direction)} ${id} ${t.name}${size} ${who}`;
  switch (t.state) {
    case 'offered':
      return t.direction === 'in'
        ? `${head}: offered; /accept ${id} or /reject ${id}`
        : `${head}: waiting for ${t.peerNick} to accept; /cancel ${id} withdraws it`;
    case 'accepted': {
      const pct = percentOf(t);
      const done = pct === undefined ? formatBytes(t.bytes) : `${pct}%`;
      return `${head}: ${done} ${formatRate(t.rate)} ETA ${formatEta(etaSeconds(t))}`;
    }
    case 'done':
      return `${head}: done${t.path ? `, ${t.path}` : ''}`;
    case 'failed':
      return `${head}: failed${t.error ? `: ${t.error}` : ''}`;
    default:
      return `${head}: ${t.state}${t.error ? ` (${t.error})` : ''}`;
  }
}

/** How many progress rows the screen wants for these transfers (the layout may give fewer). */
export function transferRowsWanted(table: TransferTable, max: number): number {
  return Math.min(max, table.active().length);
}

/**
 * The progress rows above the status bar: one bar per running transfer, the last row summing up
 * the rest when there are more transfers than rows.
 */
export function transferPanelRows(table: TransferTable, width: number, rows: number): string[] {
  const active = table.active();
  if (rows <= 0 || active.length === 0) return [];
  if (active.length <= rows) return active.map((t) => progressLine(t, width));
  const shown = active.slice(0, rows - 1).map((t) => progressLine(t, width));
  const rest = active.slice(rows - 1);
  const rate = rest.reduce((sum, t) => sum + Math.max(0, t.rate), 0);
  shown.push(ellipsize(`⇅ ${rest.length} more transfers, ${formatRate(rate)}; /transfers lists them`, width));
  return shown;
}
