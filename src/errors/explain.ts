/**
 * Words shared by errors, the doctor and the audit, so a runtime failure and a finding read the same.
 */

const MAX_UNTRUSTED_LENGTH = 64;

/**
 * Renders a value taken from a token for an explanation: JSON-quoted, ASCII only, cut to a short length.
 * Token values are attacker-controlled; this keeps them from forging log lines or breaking headers.
 *
 * @example
 * ```ts
 * describeUntrusted('evil\nkid'); // '"evil\\nkid"'
 * ```
 */
export function describeUntrusted(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  // Escape everything outside printable ASCII so nothing unexpected reaches a terminal, a log or a header.
  const ascii = text.replace(
    /[^\x20-\x7e]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return ascii.length > MAX_UNTRUSTED_LENGTH
    ? `${ascii.slice(0, MAX_UNTRUSTED_LENGTH)}...(cut)`
    : ascii;
}

/**
 * Formats a duration in seconds the way people read it: "95 s", "6 min 12 s", "2 h 5 min", "3 d 4 h".
 *
 * @example
 * ```ts
 * formatDuration(372); // '6 min 12 s'
 * ```
 */
export function formatDuration(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return joinUnits(Math.floor(s / 60), 'min', s % 60, 's');
  if (s < 86_400) return joinUnits(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'min');
  return joinUnits(Math.floor(s / 86_400), 'd', Math.floor((s % 86_400) / 3600), 'h');
}

/**
 * Formats a NumericDate (seconds since the epoch) as ISO-8601 UTC without milliseconds, or a marker when out of range.
 *
 * @example
 * ```ts
 * formatInstant(1767268805); // '2026-01-01T12:00:05Z'
 * ```
 */
export function formatInstant(epochSeconds: number): string {
  const ms = epochSeconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15)
    return `(out of range: ${String(epochSeconds)})`;
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function joinUnits(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major} ${majorUnit}` : `${major} ${majorUnit} ${minor} ${minorUnit}`;
}
