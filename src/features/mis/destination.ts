// Where the pull connector may send the school's MIS token: an https address on the public
// internet. Loopback, link-local (cloud metadata at 169.254.169.254 among them), private,
// carrier-grade NAT, multicast and reserved ranges, IPv4 and IPv6 (IPv4-mapped forms included),
// are refused outside development, both when the address is saved (a literal address or
// `localhost`) and when each request connects (every address the name resolves to, checked in the
// connection's own DNS lookup, so a name that changes its answer between check and use is still
// caught). To change safely: add ranges, never remove them; keep the check in the lookup.
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64: could reach any IPv4 address, private ones included
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
] as const)
  NOT_PUBLIC.addSubnet(net, bits, 'ipv6');

/** True for an address that is not on the public internet (IPv4-mapped IPv6 as its IPv4). */
export function isNonPublicAddress(address: string): boolean {
  const v = isIP(address);
  if (v === 4) return NOT_PUBLIC.check(address, 'ipv4');
  if (v === 6) return NOT_PUBLIC.check(address, 'ipv6');
  return true; // not an address at all: refuse rather than guess
}

export const PRIVATE_REFUSED =
  'Lantern sends the MIS token only to a public https address: loopback, link-local and private ' +
  'network addresses are refused outside development.';

/** Why a connector address may not be used, or null if it may (no DNS: see connectingTo). */
export function refusedAddress(url: URL, allowPrivate: boolean): string | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return 'The base URL must be an https address.';
  if (url.username || url.password) return 'The base URL must not carry a user name or password.';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const nonPublic =
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    (isIP(host) > 0 && isNonPublicAddress(host));
  // In development, plain http is allowed to a local test server only.
  if (url.protocol !== 'https:' && !(allowPrivate && nonPublic))
    return 'The base URL must use https.';
  if (nonPublic && !allowPrivate) return PRIVATE_REFUSED;
  return null;
}

/** A DNS lookup for outgoing connections that fails on any non-public answer. */
export function publicOnlyLookup(onRefused: (host: string) => Error): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, found: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      if (found.length === 0 || found.some((a) => isNonPublicAddress(a.address)))
        return callback(onRefused(hostname), '', 0);
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, found);
      return callback(null, found[0]!.address, found[0]!.family);
    });
  };
}
