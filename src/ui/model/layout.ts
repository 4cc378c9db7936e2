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
  status: Rect;
  input: Rect;
}

/** Side bar widths include their one-cell border. */
export const BUFFER_LIST_WIDTH = 16;
export const NICK_LIST_WIDTH = 16;
/** The chat keeps at least this many cells before a side bar is shown. */
const MIN_CHAT_WITH_BUFFERS = 44;
const MIN_CHAT_WITH_NICKS = 64;

export function computeLayout(cols: number, rows: number, options: { copyMode?: boolean } = {}): Layout {
  const width = Math.max(1, cols);
  const chatHeight = Math.max(1, rows - 2);
  const status: Rect = { left: 0, top: chatHeight, width, height: 1 };
  const input: Rect = { left: 0, top: chatHeight + 1, width, height: 1 };
  if (options.copyMode) {
    return {
      bufferList: undefined,
      chat: { left: 0, top: 0, width, height: chatHeight },
      nickList: undefined,
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
    status,
    input,
  };
}
