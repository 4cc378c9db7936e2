// Sizes typed on the command line: `500M`, `4G`, `1.5GiB`, `1000000`. Binary units (K = 1024),
// as `ls -h` and `du -h` show them.
import { UsageError } from './errors.js';

const UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

export function parseByteSize(text: string, flag: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  const value = match ? Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? Number.NaN) : Number.NaN;
  if (!(value >= 1 && value <= Number.MAX_SAFE_INTEGER)) {
    throw new UsageError(`${flag} expects a size such as 500M, 4G or 1000000 (bytes); got '${text}'`);
  }
  return Math.floor(value);
}
