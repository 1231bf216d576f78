import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/fakes/webhook-receiver.js';
import { allowListProblems, blockReason, BlockedTargetError, createSsrfGuard, parseIp, type ResolveHost } from './ssrf-guard.js';

describe('blockReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:169.254.169.254]', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::10.0.0.1', 'private'],
    ['64:ff9b::192.168.0.1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
  ])('%s is %s', (address, reason) => {
    expect(blockReason(address)).toBe(reason);
  });

  it.each(['8.8.8.8', '172.15.255.255', '172.32.0.1', '192.169.0.1', '169.255.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '2002:808:808::'])('%s is public', (address) => {
    expect(blockReason(address)).toBeUndefined();
  });

  it('parses IPv6 with and without embedded IPv4 to the same number', () => {
    expect(parseIp('::ffff:127.0.0.1')).toEqual(parseIp('0:0:0:0:0:ffff:7f00:0001'));
    expect(parseIp('not-an-ip')).toBeUndefined();
  });
});

describe('createSsrfGuard', () => {
  const fixed =
    (table: Record<string, string[]>): ResolveHost =>
    (host) =>
      Promise.resolve((table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));

  it('refuses literal private targets, including the forms WHATWG URL normalizes to them', async () => {
    const guard = createSsrfGuard({}, fixed({}));
    for (const url of ['http://127.0.0.1/', 'http://2130706433/', 'http://0x7f.0.0.1/', 'http://[::1]:8080/', 'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/latest/meta-data/', 'https://10.0.0.5/']) {
      await expect(guard.checkTarget(url), url).rejects.toBeInstanceOf(BlockedTargetError);
    }
    await expect(guard.checkTarget('http://8.8.8.8/')).resolves.toEqual(['8.8.8.8']);
  });

  it('refuses a host name resolving to loopback (real DNS: localhost)', async () => {
    const guard = createSsrfGuard();
    const err = await guard.checkTarget('http://localhost:9/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockedTargetError);
    expect(err).toMatchObject({ host: 'localhost', reason: 'loopback' });
  });

  it('refuses a name when any one of its addresses is private (DNS rebinding)', async () => {
    const guard = createSsrfGuard({}, fixed({ 'mixed.example': ['93.184.216.34', '10.0.0.7'], 'public.example': ['93.184.216.34'] }));
    await expect(guard.checkTarget('https://mixed.example/')).rejects.toMatchObject({ address: '10.0.0.7', reason: 'private' });
    await expect(guard.checkTarget('https://public.example/')).resolves.toEqual(['93.184.216.34']);
  });

  it('allows what the connection allow-lists: IPs, CIDRs, host names, *.suffixes, or everything private', async () => {
    const dns = fixed({ 'crm.internal': ['10.9.9.9'], 'a.corp.example': ['192.168.5.5'], other: ['192.168.5.6'] });
    await expect(createSsrfGuard({ allowHosts: ['127.0.0.1'] }, dns).checkTarget('http://127.0.0.1:3000/')).resolves.toEqual(['127.0.0.1']);
    await expect(createSsrfGuard({ allowHosts: ['127.0.0.1'] }, dns).checkTarget('http://[::ffff:127.0.0.1]/')).resolves.toHaveLength(1);
    await expect(createSsrfGuard({ allowHosts: ['127.0.0.1'] }, dns).checkTarget('http://127.0.0.2/')).rejects.toBeInstanceOf(BlockedTargetError);
    await expect(createSsrfGuard({ allowHosts: ['10.0.0.0/8'] }, dns).checkTarget('http://crm.internal/')).resolves.toEqual(['10.9.9.9']);
    await expect(createSsrfGuard({ allowHosts: ['CRM.internal'] }, dns).checkTarget('http://crm.internal/')).resolves.toEqual(['10.9.9.9']);
    await expect(createSsrfGuard({ allowHosts: ['*.corp.example'] }, dns).checkTarget('http://a.corp.example/')).resolves.toEqual(['192.168.5.5']);
    await expect(createSsrfGuard({ allowHosts: ['*.corp.example'] }, dns).checkTarget('http://other/')).rejects.toBeInstanceOf(BlockedTargetError);
    await expect(createSsrfGuard({ allowPrivate: true }, dns).checkTarget('http://169.254.169.254/')).resolves.toHaveLength(1);
  });

  it('reports bad allow-list entries', () => {
    expect(allowListProblems(['10.0.0.0/8', 'fd00::/8', 'crm.internal', '*.corp.example', '10.0.0.0/33', 'http://x/', 'a b'])).toEqual([
      '"10.0.0.0/33" is neither a host name, an IP address nor a CIDR',
      '"http://x/" is neither a host name, an IP address nor a CIDR',
      '"a b" is neither a host name, an IP address nor a CIDR',
    ]);
    expect(() => createSsrfGuard({ allowHosts: ['10.0.0.0/40'] })).toThrow(/allowHosts/);
  });

  describe('as the socket lookup (checks the address actually connected to)', () => {
    let receiver: WebhookReceiver;
    beforeAll(async () => {
      receiver = await startWebhookReceiver();
    });
    afterAll(async () => {
      await receiver.close();
    });

    const fetchVia = (guard: ReturnType<typeof createSsrfGuard>, host: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = get({ host, port: receiver.port, path: '/', lookup: guard.lookup, family: 4 }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });

    it('refuses localhost by default and connects once 127.0.0.1 is allow-listed', async () => {
      await expect(fetchVia(createSsrfGuard(), 'localhost')).rejects.toBeInstanceOf(BlockedTargetError);
      expect(receiver.requests).toHaveLength(0);
      await expect(fetchVia(createSsrfGuard({ allowHosts: ['127.0.0.1'] }), 'localhost')).resolves.toBe(200);
      expect(receiver.requests).toHaveLength(1);
    });
  });
});
