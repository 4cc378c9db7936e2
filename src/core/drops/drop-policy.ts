// The limits of holding drops for others, and how many copies of our own DMs we deposit. Named
// constants, overridable per node (NodeInit.drops) and, for the common ones, from the command line.
// Quotas refuse new drops, never evict held ones: a flood from one depositor cannot push out the
// drops of others, and the total bounds the disk whatever the number of identities a flooder makes.

export interface DropQuota {
  count: number;
  bytes: number;
}

export interface DropPolicy {
  /** Hold drops for others (false: --no-hold). Our own DMs are deposited either way. */
  hold: boolean;
  /** How many peers we deposit each DM with when its recipient is offline (K). */
  copies: number;
  /** How long a drop lives: the sender's expiry, capped by the holder to this. */
  holdMs: number;
  perRecipient: DropQuota;
  perDepositor: DropQuota;
  total: DropQuota;
  /** Deposits accepted per depositor: a token bucket refilled at `perMinute`, holding `burst`. */
  depositRate: { perMinute: number; burst: number };
}

export const DEFAULT_DROP_POLICY: DropPolicy = {
  hold: true,
  copies: 3,
  holdMs: 14 * 24 * 60 * 60_000,
  perRecipient: { count: 1_000, bytes: 10 * 1024 * 1024 },
  perDepositor: { count: 1_000, bytes: 10 * 1024 * 1024 },
  total: { count: 100_000, bytes: 100 * 1024 * 1024 },
  depositRate: { perMinute: 60, burst: 120 },
};

/** The hello capability of a peer that holds drops (absent with --no-hold, or in older versions). */
export const HOLD_CAPABILITY = 'hold-drops';
