// Output lines collected during one turn of the event loop and written with one write: a burst
// of 200 messages costs one syscall instead of 200, and flush() lets the node put a batch of
// messages on stdout before it records them as shown (see LanchatNode.onShown).

export class LineWriter {
  private buffer: string[] = [];
  private scheduled = false;

  constructor(private readonly out: (text: string) => void) {}

  write(line: string): void {
    this.buffer.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    this.out(text);
  }
}
