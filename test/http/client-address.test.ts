// Address normalisation for limits, property-tested: every spelling of one address and every address of
// one IPv6 /64 map to one bucket, different /64s and different IPv4 addresses to different buckets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressBucket, canonicalAddress, UNPARSED_BUCKET } from '../../src/http/client-address.js';
import { clientAddress } from '../../src/http/request-context.js';

const group = fc.integer({ min: 0, max: 0xffff });
const groups = fc.array(group, { minLength: 8, maxLength: 8 });
const ipv4 = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });

/** One spelling of eight groups: case, leading zeros, any zero run compressed, brackets, port, zone. */
const spelling = (value: number[]): fc.Arbitrary<string> =>
  fc
    .record({
      upper: fc.boolean(),
      pad: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      compress: fc.nat(),
      wrap: fc.constantFrom('none', 'brackets', 'port', 'zone'),
    })
    .map(({ upper, pad, compress, wrap }) => {
      const hex = value.map((g, i) =>
        pad[i] === true ? g.toString(16).padStart(4, '0') : g.toString(16),
      );
      // Candidate zero runs of length >= 1; compress one of them (or none) with `::`.
      const runs: [number, number][] = [];
      for (let i = 0; i < 8; i++)
        for (let j = i + 1; j <= 8; j++)
          if (value.slice(i, j).every((g) => g === 0)) runs.push([i, j]);
      const pick = runs.length === 0 ? undefined : runs[compress % (runs.length + 1)];
      let text =
        pick === undefined
          ? hex.join(':')
          : `${hex.slice(0, pick[0]).join(':')}::${hex.slice(pick[1]).join(':')}`;
      if (upper) text = text.toUpperCase();
      if (wrap === 'brackets') return `[${text}]`;
      if (wrap === 'port') return `[${text}]:443`;
      if (wrap === 'zone') return `${text}%eth0`;
      return text;
    });

describe('address buckets', () => {
  it('maps every spelling of one IPv6 address to one canonical address and one bucket', () => {
    fc.assert(
      fc.property(
        // Half the groups zero, so that compression has runs to work on.
        fc
          .array(fc.oneof(group, fc.constant(0)), { minLength: 8, maxLength: 8 })
          .filter((g) => !(g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff)),
        fc.nat(),
        (value, seed) =>
          fc.assert(
            fc.property(spelling(value), spelling(value), (a, b) => {
              expect(canonicalAddress(a)).toBe(canonicalAddress(b));
              expect(canonicalAddress(a)).toBeDefined();
              expect(addressBucket(a)).toBe(addressBucket(b));
            }),
            { numRuns: 5, seed },
          ),
      ),
      { numRuns: 200 },
    );
  });

  it('maps every address of one /64 to one bucket, and addresses of two /64s to two', () => {
    const isMapped = (g: number[]): boolean =>
      g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
    const write = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
    fc.assert(
      fc.property(groups, groups, (a, b) => {
        const sameNet = [...a.slice(0, 4), ...b.slice(4)];
        fc.pre(!isMapped(a) && !isMapped(b) && !isMapped(sameNet));
        expect(addressBucket(write(a))).toBe(addressBucket(write(sameNet)));
        if (a.slice(0, 4).some((x, i) => x !== b[i]))
          expect(addressBucket(write(a))).not.toBe(addressBucket(write(b)));
      }),
      { numRuns: 500 },
    );
  });

  it('maps an IPv4 address and its IPv4-mapped spellings to the IPv4 address; two addresses stay two', () => {
    fc.assert(
      fc.property(ipv4, ipv4, fc.integer({ min: 1, max: 65535 }), (a, b, port) => {
        const dotted = a.join('.');
        const hex = `${((a[0]! << 8) | a[1]!).toString(16)}:${((a[2]! << 8) | a[3]!).toString(16)}`;
        for (const form of [
          dotted,
          `${dotted}:${port}`,
          `::ffff:${dotted}`,
          `::FFFF:${dotted}`,
          `[::ffff:${dotted}]:${port}`,
          `0:0:0:0:0:ffff:${dotted}`,
          `::ffff:${hex}`,
          ` ${dotted} `,
        ]) {
          expect(canonicalAddress(form), form).toBe(dotted);
          expect(addressBucket(form), form).toBe(dotted);
        }
        if (b.join('.') !== dotted)
          expect(addressBucket(b.join('.'))).not.toBe(addressBucket(dotted));
      }),
    );
  });

  it('writes IPv6 as RFC 5952 does', () => {
    expect(canonicalAddress('2001:0DB8:0000:0000:0001:0000:0000:0001')).toBe('2001:db8::1:0:0:1');
    expect(canonicalAddress('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(canonicalAddress('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalAddress('fe80::1%25eth0')).toBe('fe80::1');
    expect(addressBucket('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('::1')).toBe('::/64');
  });

  it('puts whatever is no address into one shared bucket, never one per spelling', () => {
    for (const junk of [
      '',
      'unknown',
      'example.com',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '[::1',
      '[::1]x',
      '::g',
      '1.2.3.4:',
      '1.2.3.4:99999999',
    ]) {
      expect(canonicalAddress(junk), junk).toBeUndefined();
      expect(addressBucket(junk), junk).toBe(UNPARSED_BUCKET);
    }
    expect(addressBucket(null)).toBe(UNPARSED_BUCKET);
  });

  it('reads the nearest proxy’s entry in one spelling behind trust-proxy, and the socket’s otherwise', () => {
    const request = (forwarded: string): Request =>
      new Request('http://localhost/auth/login', { headers: { 'x-forwarded-for': forwarded } });
    expect(
      clientAddress(request('6.6.6.6, [2001:DB8::1]:443'), {
        remoteAddress: '::1',
        trustProxy: true,
      }),
    ).toBe('2001:db8::1');
    expect(
      clientAddress(request('6.6.6.6'), { remoteAddress: '::ffff:127.0.0.1', trustProxy: false }),
    ).toBe('127.0.0.1');
    expect(
      clientAddress(request('a proxy wrote this'), { remoteAddress: undefined, trustProxy: true }),
    ).toBe('a proxy wrote this');
  });
});
