import { isIPv4, isIPv6 } from 'node:net';

/**
 * Client addresses as limits count them. One host must not get a fresh limit by spelling its address
 * another way (`::FFFF:203.0.113.7`, `[2001:db8::1]:443`, `2001:0db8:0:0::1%eth0`), nor by moving
 * through its IPv6 /64: a single customer line or VM usually holds a whole /64, and picking a new
 * interface id there costs nothing. So counts are kept per IPv4 address and per IPv6 /64.
 */

/** The bucket every address that cannot be parsed shares (better one shared limit than one per spelling). */
export const UNPARSED_BUCKET = 'unparsed';

/**
 * One address in one spelling: IPv4 dotted-quad, or IPv6 as RFC 5952 writes it (lower case, the
 * longest zero run compressed), an IPv4-mapped IPv6 address as its IPv4 address. Brackets, a port and
 * an IPv6 zone id are dropped. Undefined when the value is no IP address.
 *
 * @example
 * ```ts
 * canonicalAddress('[::FFFF:203.0.113.7]:443'); // '203.0.113.7'
 * canonicalAddress('2001:0DB8:0:0:0:0:0:1%eth0'); // '2001:db8::1'
 * ```
 */
export function canonicalAddress(raw: string): string | undefined {
  const bare = unwrap(raw.trim());
  if (bare === undefined) return undefined;
  if (isIPv4(bare)) return bare;
  const groups = ipv6Groups(bare);
  if (groups === undefined) return undefined;
  const mapped = mappedIpv4(groups);
  return mapped ?? formatIpv6(groups);
}

/**
 * The key an address is counted under: an IPv4 address as it is, an IPv6 address as its /64
 * (`2001:db8:1:2::/64`), anything else as {@link UNPARSED_BUCKET}.
 *
 * @example
 * ```ts
 * addressBucket('2001:db8:1:2:aaaa::1') === addressBucket('[2001:DB8:1:2::ffff]:8080'); // true
 * ```
 */
export function addressBucket(raw: string | null | undefined): string {
  if (raw === null || raw === undefined) return UNPARSED_BUCKET;
  const canonical = canonicalAddress(raw);
  if (canonical === undefined) return UNPARSED_BUCKET;
  if (isIPv4(canonical)) return canonical;
  const groups = ipv6Groups(canonical) as number[];
  return `${formatIpv6([...groups.slice(0, 4), 0, 0, 0, 0])}/64`;
}

// Brackets with an optional port, an IPv4 address with a port, and a zone id: the address alone.
function unwrap(value: string): string | undefined {
  let bare = value;
  if (bare.startsWith('[')) {
    const close = bare.indexOf(']');
    if (close < 0) return undefined;
    const rest = bare.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    bare = bare.slice(1, close);
  } else {
    const port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(bare);
    if (port !== null) bare = port[1] as string;
  }
  const zone = bare.indexOf('%');
  if (zone >= 0) bare = bare.slice(0, zone);
  return bare === '' ? undefined : bare;
}

// The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail counts as the last two), or undefined.
function ipv6Groups(value: string): number[] | undefined {
  if (!isIPv6(value)) return undefined;
  let text = value.toLowerCase();
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (tail !== null) {
    const [a, b, c, d] = (tail[1] as string).split('.').map(Number) as [
      number,
      number,
      number,
      number,
    ];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => parseInt(group, 16));
  const left = parse(head);
  if (rest === undefined) return left.length === 8 ? left : undefined;
  const right = parse(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

// ::ffff:a.b.c.d, the form a dual-stack socket reports an IPv4 peer in.
function mappedIpv4(groups: readonly number[]): string | undefined {
  if (groups.slice(0, 5).some((group) => group !== 0) || groups[5] !== 0xffff) return undefined;
  const high = groups[6] as number;
  const low = groups[7] as number;
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

// RFC 5952 section 4: lower-case hex without leading zeros, the longest run of two or more zero groups
// (the first one on a tie) as `::`.
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
