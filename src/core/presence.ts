// Our own presence: online / away / busy with a status text, set by the user or automatically
// after a period without input (auto-away), and back on the next input.
import type { PresenceState } from '../protocol/messages.js';
import type { Clock, TimerHandle } from './clock.js';

export interface PresenceSnapshot {
  presence: PresenceState;
  status: string;
  /** True while away was set by the idle timer (input brings us back). */
  auto: boolean;
}

export class OwnPresence {
  private state: PresenceSnapshot = { presence: 'online', status: '', auto: false };
  private idleTimer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    /** 0 disables auto-away. */
    private readonly awayAfterMs: number,
    private readonly changed: (state: PresenceSnapshot) => void,
  ) {}

  get current(): PresenceSnapshot {
    return { ...this.state };
  }

  start(): void {
    this.armIdle();
  }

  stop(): void {
    if (this.idleTimer) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  set(presence: PresenceState, status: string): void {
    this.apply({ presence, status, auto: false });
    this.armIdle();
  }

  /** The user typed or sent something. */
  activity(): void {
    if (this.state.auto) this.apply({ presence: 'online', status: '', auto: false });
    this.armIdle();
  }

  private armIdle(): void {
    if (this.idleTimer) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.awayAfterMs <= 0 || this.state.presence !== 'online') return;
    const handle = this.clock.setTimeout(() => {
      this.idleTimer = undefined;
      if (this.state.presence === 'online') this.apply({ presence: 'away', status: 'idle', auto: true });
    }, this.awayAfterMs);
    handle.unref?.();
    this.idleTimer = handle;
  }

  private apply(next: PresenceSnapshot): void {
    const same =
      next.presence === this.state.presence &&
      next.status === this.state.status &&
      next.auto === this.state.auto;
    this.state = next;
    if (!same) this.changed({ ...next });
  }
}
