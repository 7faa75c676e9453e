import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { Agent } from 'node:http';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

/** What an address is, as far as sending notifications to it goes. */
export type AddressCategory = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'reserved';

const LABEL: Record<Exclude<AddressCategory, 'public'>, string> = {
  loopback: 'loopback address',
  private: 'private address',
  'link-local': 'link-local address',
  metadata: 'cloud metadata address',
  unspecified: 'unspecified address',
  reserved: 'reserved address',
};

// ipaddr.js ranges; anything not listed (multicast, broadcast, documentation, 6to4, NAT64 …) is reserved.
const RANGE_CATEGORY: Record<string, AddressCategory> = {
  unicast: 'public',
  loopback: 'loopback',
  private: 'private',
  uniqueLocal: 'private',
  carrierGradeNat: 'private',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
};

// Inside ranges the opt-in opens, but never a receiver: AWS's IPv6 instance metadata service.
const METADATA_ADDRESSES = new Set(['fd00:ec2::254']);

export function categorize(address: string): AddressCategory {
  const parsed = ipaddr.parse(address);
  if (METADATA_ADDRESSES.has(parsed.toString())) return 'metadata';
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    // ::ffff:a.b.c.d is the IPv4 address to the socket; a public one still has no business in DNS.
    const inner = categorize((parsed as ipaddr.IPv6).toIPv4Address().toString());
    return inner === 'public' ? 'reserved' : inner;
  }
  return RANGE_CATEGORY[parsed.range()] ?? 'reserved';
}

/** Thrown (through the socket) when a destination resolves to an address that is not allowed. */
export class DestinationRefused extends Error {
  constructor(readonly reason: string) {
    super(`refused: ${reason}`);
    this.name = 'DestinationRefused';
  }
}

export type DestinationPolicy = {
  /** NOTIFY_ALLOW_PRIVATE_NETWORKS: loopback and private ranges become allowed. */
  allowPrivateNetworks: boolean;
  /** Name resolution (default dns.lookup); tests give one that resolves made-up names. */
  lookup?: LookupFunction;
};

/**
 * Where tenants may make this service send HTTP requests: public addresses only, unless the
 * operator allows private networks; link-local, metadata, unspecified and reserved addresses never.
 * Checked when a channel is saved (a friendly error) and on the connection itself at every
 * delivery: the check runs inside the socket's own DNS lookup (request-filtering-agent), so the
 * address checked is the address connected to, and a name that changes its answer after the
 * check (DNS rebinding) gains nothing.
 */
export class DestinationGuard {
  private readonly agents: { http: Agent; https: Agent };

  constructor(private readonly policy: DestinationPolicy) {
    // The agents refuse non-public addresses on their own too (a second line behind our lookup).
    const options = { allowPrivateIPAddress: policy.allowPrivateNetworks, allowMetaIPAddress: false };
    this.agents = { http: new RequestFilteringHttpAgent(options), https: new RequestFilteringHttpsAgent(options) };
  }

  /** Why this address may not be sent to, or null when it may. */
  refusalOfAddress(address: string): string | null {
    const category = categorize(address);
    if (category === 'public') return null;
    if (this.policy.allowPrivateNetworks && (category === 'loopback' || category === 'private')) return null;
    return LABEL[category];
  }

  /**
   * The check when a channel is saved: a literal address, or every address the host name resolves
   * to now. A name that does not resolve (yet) passes: each delivery checks again.
   */
  async refusalOfUrl(url: string, timeoutMs: number): Promise<string | null> {
    const host = hostOf(url);
    if (isIP(host)) return this.literalRefusal(host);
    const addresses = await this.resolve(host, timeoutMs);
    const refused = addresses.map((a) => this.refusalOfAddress(a)).find((reason) => reason !== null);
    return refused ? `${host} resolves to a ${refused}` : null;
  }

  /** For a delivery: the literal address of the URL, checked before any socket is opened. */
  refusalOfLiteral(url: URL): string | null {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return isIP(host) ? this.literalRefusal(host) : null;
  }

  /** node:http request options that route the connection through the checks. */
  requestOptions(url: URL): { agent: Agent; lookup: LookupFunction } {
    return { agent: url.protocol === 'https:' ? this.agents.https : this.agents.http, lookup: this.lookup };
  }

  private literalRefusal(address: string): string | null {
    const reason = this.refusalOfAddress(address);
    return reason ? `${reason} ${address}` : null;
  }

  // The lookup the socket connects with: every address it returns is checked, and one refused
  // address refuses the name (the socket may try any of them).
  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    const base = this.policy.lookup ?? (dnsLookup as unknown as LookupFunction);
    base(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const addresses = typeof address === 'string' ? [address] : (address as unknown as LookupAddress[]).map((a) => a.address);
      const refused = addresses.map((a) => this.refusalOfAddress(a)).find((reason) => reason !== null);
      if (refused) return callback(new DestinationRefused(`${hostname} resolves to a ${refused}`), address, family);
      callback(null, address, family);
    });
  };

  private resolve(host: string, timeoutMs: number): Promise<string[]> {
    const base = this.policy.lookup ?? (dnsLookup as unknown as LookupFunction);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve([]), timeoutMs);
      timer.unref();
      base(host, { all: true }, (error, addresses) => {
        clearTimeout(timer);
        resolve(error ? [] : (addresses as unknown as LookupAddress[]).map((a) => a.address));
      });
    });
  }
}

/** The URL's host without IPv6 brackets; the WHATWG parser has already turned 0x7f.1 and the like into 127.0.0.1. */
function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, '');
}
