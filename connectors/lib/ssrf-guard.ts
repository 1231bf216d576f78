import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';

/**
 * SSRF guard for outbound calls. Rule authors choose webhook URLs and CRM
 * URL templates, so a careless (or hostile) rule must not be able to make the
 * server call its own admin port, the database next door, or the cloud
 * metadata endpoint (169.254.169.254) that hands out credentials.
 *
 * Every address a target host resolves to is checked; one refused address
 * refuses the host (a name that resolves to a public and a private address is
 * a DNS-rebinding trick, not a load balancer). The check runs in the socket's
 * DNS lookup (`guardedLookup`), i.e. on the address actually connected to, so
 * a name that changes its answer between a pre-check and the connect cannot
 * slip through; literal IPs never reach a lookup and are checked up front
 * (`checkTarget`). Redirects get the same treatment because each hop opens
 * its own connection through the same lookup.
 */
export interface SsrfPolicy {
  /** Allow every private, loopback and link-local target (an on-premises deployment calling its own network). */
  allowPrivate?: boolean;
  /** Host names (`crm.internal`, `*.corp.example`), IPs or CIDRs (`10.1.0.0/16`, `fd00::/8`) allowed even though private. */
  allowHosts?: readonly string[];
}

export type BlockReason = 'unspecified' | 'loopback' | 'private' | 'link-local' | 'multicast' | 'reserved';

/** Thrown (or passed to the lookup callback) when a target is refused; the transport maps it to TRIAGE_CONNECTOR_BLOCKED_TARGET. */
export class BlockedTargetError extends Error {
  readonly code = 'ERR_TRIAGE_BLOCKED_TARGET';
  readonly host: string;
  readonly address: string;
  readonly reason: BlockReason;

  constructor(host: string, address: string, reason: BlockReason) {
    super(host === address ? `${address} is a ${reason} address` : `${host} resolves to ${address}, a ${reason} address`);
    this.name = 'BlockedTargetError';
    this.host = host;
    this.address = address;
    this.reason = reason;
  }
}

export function isBlockedTargetError(e: unknown): e is BlockedTargetError {
  return e instanceof BlockedTargetError;
}

/** Resolves a host name to all its addresses (injectable for tests). */
export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const resolveAllAddresses: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

// --- address classification -------------------------------------------------

interface Range {
  base: bigint;
  bits: number;
  reason: BlockReason;
}

const V4_RANGES: readonly Range[] = [
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'private'), // carrier-grade NAT; also where some clouds put metadata services
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'), // includes 169.254.169.254, the cloud metadata endpoint
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'), // includes 255.255.255.255
];

const V6_RANGES: readonly Range[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('fc00::/7', 'private'), // unique local
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'private'), // deprecated site-local, still routable inside some networks
  v6('ff00::/8', 'multicast'),
];

/** Why `address` (an IPv4 or IPv6 literal) is refused by default, or undefined for a public address. */
export function blockReason(address: string): BlockReason | undefined {
  const parsed = parseIp(address);
  if (!parsed) return 'reserved';
  if (parsed.family === 4) return match(parsed.value, 32, V4_RANGES);
  const embedded = embeddedIpv4(parsed.value);
  if (embedded !== undefined) return match(embedded, 32, V4_RANGES);
  return match(parsed.value, 128, V6_RANGES);
}

/**
 * IPv6 forms that carry an IPv4 address the packet really goes to:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64
 * (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::). `::` and `::1` are not.
 */
function embeddedIpv4(v: bigint): bigint | undefined {
  const low32 = v & 0xffffffffn;
  const high96 = v >> 32n;
  if (high96 === 0xffffn) return low32;
  if (high96 === 0n && low32 > 1n) return low32;
  if (high96 === 0x0064ff9b0000000000000000n) return low32;
  if (v >> 112n === 0x2002n) return (v >> 80n) & 0xffffffffn;
  return undefined;
}

function match(value: bigint, width: number, ranges: readonly Range[]): BlockReason | undefined {
  for (const r of ranges) if (inRange(value, width, r.base, r.bits)) return r.reason;
  return undefined;
}

function inRange(value: bigint, width: number, base: bigint, bits: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === base >> shift;
}

function v4(cidr: string, reason: BlockReason): Range {
  const c = parseCidr(cidr);
  if (!c || c.family !== 4) throw new Error(`bad built-in range ${cidr}`);
  return { base: c.value, bits: c.bits, reason };
}

function v6(cidr: string, reason: BlockReason): Range {
  const c = parseCidr(cidr);
  if (!c || c.family !== 6) throw new Error(`bad built-in range ${cidr}`);
  return { base: c.value, bits: c.bits, reason };
}

interface ParsedIp {
  family: 4 | 6;
  value: bigint;
}

/** Parses a literal IP (IPv6 may be bracketed or carry a %zone) into a number; undefined when it is not one. */
export function parseIp(input: string): ParsedIp | undefined {
  const text = input.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIP(text);
  if (family === 4) {
    return { family: 4, value: ipv4ToNumber(text) };
  }
  if (family !== 6) return undefined;
  let hex = text;
  const lastColon = text.lastIndexOf(':');
  const dotted = text.slice(lastColon + 1);
  if (isIP(dotted) === 4) {
    // ::ffff:1.2.3.4 → ::ffff:102:304, so the group parser below sees hex only.
    const n = ipv4ToNumber(dotted);
    hex = `${text.slice(0, lastColon + 1)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = hex.split('::');
  const toGroups = (s: string): bigint[] => (s === '' ? [] : s.split(':').map((g) => BigInt(parseInt(g, 16))));
  const left = toGroups(halves[0] ?? '');
  const right = toGroups(halves[1] ?? '');
  const groups = halves.length === 2 ? [...left, ...new Array<bigint>(8 - left.length - right.length).fill(0n), ...right] : left;
  if (groups.length !== 8) return undefined;
  return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | g, 0n) };
}

function ipv4ToNumber(dotted: string): bigint {
  return dotted.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseCidr(input: string): (ParsedIp & { bits: number }) | undefined {
  const [ip, bitsText] = input.split('/') as [string, string | undefined];
  const parsed = parseIp(ip);
  if (!parsed) return undefined;
  const width = parsed.family === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > width || (bitsText !== undefined && !/^\d+$/.test(bitsText))) return undefined;
  return { ...parsed, bits };
}

// --- allow list ---------------------------------------------------------------

interface AllowList {
  allowPrivate: boolean;
  hosts: readonly string[];
  suffixes: readonly string[];
  cidrs: readonly (ParsedIp & { bits: number })[];
}

/** Problems in an allowHosts list (for settings validation), one message per bad entry. */
export function allowListProblems(entries: readonly string[]): string[] {
  return entries.flatMap((e) => (classifyEntry(e) === undefined ? [`"${e}" is neither a host name, an IP address nor a CIDR`] : []));
}

function classifyEntry(entry: string): { kind: 'cidr'; cidr: ParsedIp & { bits: number } } | { kind: 'host' | 'suffix'; name: string } | undefined {
  const e = entry.trim().toLowerCase();
  const cidr = parseCidr(e);
  if (cidr) return { kind: 'cidr', cidr };
  if (/^\*\.[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(e)) return { kind: 'suffix', name: e.slice(1) };
  if (/^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/.test(e)) return { kind: 'host', name: e.replace(/\.$/, '') };
  return undefined;
}

function compilePolicy(policy: SsrfPolicy): AllowList {
  const hosts: string[] = [];
  const suffixes: string[] = [];
  const cidrs: (ParsedIp & { bits: number })[] = [];
  for (const entry of policy.allowHosts ?? []) {
    const c = classifyEntry(entry);
    if (!c) throw new Error(`allowHosts: ${allowListProblems([entry]).join('')}`);
    if (c.kind === 'cidr') cidrs.push(c.cidr);
    else if (c.kind === 'suffix') suffixes.push(c.name);
    else hosts.push(c.name);
  }
  return { allowPrivate: policy.allowPrivate === true, hosts, suffixes, cidrs };
}

function hostAllowListed(list: AllowList, hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return list.hosts.includes(h) || list.suffixes.some((s) => h.endsWith(s));
}

function addressAllowListed(list: AllowList, address: string): boolean {
  const parsed = parseIp(address);
  if (!parsed) return false;
  const candidates: ParsedIp[] = [parsed];
  if (parsed.family === 6) {
    const embedded = embeddedIpv4(parsed.value);
    if (embedded !== undefined) candidates.push({ family: 4, value: embedded });
  }
  return list.cidrs.some((c) => candidates.some((p) => p.family === c.family && inRange(p.value, c.family === 4 ? 32 : 128, c.value, c.bits)));
}

// --- the guard ------------------------------------------------------------------

export interface SsrfGuard {
  /** Throws BlockedTargetError when `address`, reached as `hostname`, is refused. */
  assertAddress(hostname: string, address: string): void;
  /**
   * Checks a URL's host before a request: a literal IP directly, a name by
   * resolving all its addresses. Returns the addresses checked.
   */
  checkTarget(url: string | URL): Promise<string[]>;
  /** A `lookup` for http(s).Agent / net.connect that refuses blocked addresses at connect time. */
  lookup: LookupFunction;
}

export function createSsrfGuard(policy: SsrfPolicy = {}, resolve: ResolveHost = resolveAllAddresses): SsrfGuard {
  const list = compilePolicy(policy);
  const assertAddress = (hostname: string, address: string): void => {
    if (list.allowPrivate || hostAllowListed(list, hostname) || addressAllowListed(list, address)) return;
    const reason = blockReason(address);
    if (reason !== undefined) throw new BlockedTargetError(hostname, address, reason);
  };
  const resolveChecked = async (hostname: string): Promise<{ address: string; family: number }[]> => {
    const bare = hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(bare) !== 0) {
      assertAddress(bare, bare);
      return [{ address: bare, family: isIP(bare) }];
    }
    const addresses = await resolve(bare);
    for (const a of addresses) assertAddress(bare, a.address);
    return addresses;
  };
  const lookup = ((hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
    const opts = typeof options === 'number' ? { family: options } : ((options ?? {}) as { family?: number | string; all?: boolean });
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family ?? 0);
    resolveChecked(hostname).then(
      (all) => {
        const usable = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        const first = usable[0];
        if (!first) {
          const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
          callback(err);
        } else if (opts.all === true) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: unknown) => callback(err),
    );
  }) as LookupFunction;
  return {
    assertAddress,
    checkTarget: async (url) => (await resolveChecked(new URL(url).hostname)).map((a) => a.address),
    lookup,
  };
}
