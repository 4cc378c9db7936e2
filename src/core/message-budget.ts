// A budget of whole messages that refills over time, capped at a burst: what peer exchange lets
// one link send us (peer-exchange.ts) and what it lets itself send one link (pex-sender.ts). Unlike
// connection/token-bucket.ts (bytes already read, so it goes into debt and only delays), a message
// here is either within the budget or not sent / ignored.

export class MessageBudget {
  private tokens: number;
  private at: number;

  constructor(
    private readonly burst: number,
    /** Ms for one message to come back after the burst is spent. */
    private readonly refillMs: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Adds what has come back since the last call, up to the burst. */
  refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.at) / this.refillMs);
    this.at = now;
  }

  /** Spends one message if there is one (call `refill` first). */
  tryTake(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Ms until one whole message is back (0 when there is one). */
  msUntilOne(): number {
    return Math.max(0, Math.ceil((1 - this.tokens) * this.refillMs));
  }
}
