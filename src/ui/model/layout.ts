// Where each part of the screen goes for a terminal size. Side bars give way first on narrow
// terminals (the nick list, then the buffer list) so that 80×24 keeps a wide chat column.

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Layout {
  bufferList: Rect | undefined;
  chat: Rect;
  nickList: Rect | undefined;
  /** Progress bars of running file transfers, full width above the status bar. */
  transfers: Rect | undefined;
  status: Rect;
  input: Rect;
}

/** Side bar widths include their one-cell border. */
export const BUFFER_LIST_WIDTH = 16;
export const NICK_LIST_WIDTH = 16;
/** The chat keeps at least this many cells before a side bar is shown. */
const MIN_CHAT_WITH_BUFFERS = 44;
const MIN_CHAT_WITH_NICKS = 64;

/** Progress rows never take more than this, nor the chat below MIN_CHAT_ROWS. */
export const MAX_TRANSFER_ROWS = 3;
const MIN_CHAT_ROWS = 8;

export function computeLayout(
  cols: number,
  rows: number,
  options: { copyMode?: boolean; transferRows?: number } = {},
): Layout {
  const width = Math.max(1, cols);
  const wanted = Math.min(MAX_TRANSFER_ROWS, Math.max(0, options.transferRows ?? 0));
  const transferRows = Math.max(0, Math.min(wanted, rows - 2 - MIN_CHAT_ROWS));
  const chatHeight = Math.max(1, rows - 2 - transferRows);
  const transfers: Rect | undefined =
    transferRows > 0 ? { left: 0, top: chatHeight, width, height: transferRows } : undefined;
  const status: Rect = { left: 0, top: chatHeight + transferRows, width, height: 1 };
  const input: Rect = { left: 0, top: status.top + 1, width, height: 1 };
  if (options.copyMode) {
    return {
      bufferList: undefined,
      chat: { left: 0, top: 0, width, height: chatHeight },
      nickList: undefined,
      transfers,
      status,
      input,
    };
  }
  const showBuffers = width - BUFFER_LIST_WIDTH >= MIN_CHAT_WITH_BUFFERS;
  const showNicks = showBuffers && width - BUFFER_LIST_WIDTH - NICK_LIST_WIDTH >= MIN_CHAT_WITH_NICKS;
  const left = showBuffers ? BUFFER_LIST_WIDTH : 0;
  const right = showNicks ? NICK_LIST_WIDTH : 0;
  return {
    bufferList: showBuffers ? { left: 0, top: 0, width: BUFFER_LIST_WIDTH, height: chatHeight } : undefined,
    chat: { left, top: 0, width: width - left - right, height: chatHeight },
    nickList: showNicks ? { left: width - right, top: 0, width: right, height: chatHeight } : undefined,
    transfers,
    status,
    input,
  };
}
