import { ChannelConfigError } from './errors.js';

/*
 * Go `time.Duration` text, the format of the orderer's BatchTimeout config value ("2s", "500ms", "1m30s").
 */

function trimFraction(value: number): string {
  return value.toFixed(3).replace(/\.?0+$/, '');
}

/** Formats whole milliseconds as Go's `Duration.String()` does (`500ms`, `2s`, `1.5s`, `1m30s`, `1h0m0s`). */
export function formatGoDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new ChannelConfigError(`invalid duration ${ms} ms`);
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = trimFraction((ms % 60_000) / 1000);
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses Go's `time.ParseDuration` syntax into milliseconds (unsigned; "0" allowed). */
export function parseGoDuration(text: string): number {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const unit = UNIT_MS[m[2] ?? ''];
    if (unit === undefined) break;
    total += Number(m[1]) * unit;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) throw new ChannelConfigError(`invalid duration '${text}'`);
  return total;
}
