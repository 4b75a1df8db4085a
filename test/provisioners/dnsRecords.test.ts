/** DNS record reconciliation shared by the Cloudflare dns-zone and Porkbun provisioners. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { desiredRecords, planDnsRecords, qualifyName, recordDrift, sameContent, subdomainOf, type LiveDnsRecord } from '../../engine/provisioners/dnsRecords';

const live = (id: string, type: string, name: string, content: string, extra: Partial<LiveDnsRecord> = {}): LiveDnsRecord => ({ id, type, name, content, ...extra });

describe('dns record names and content', () => {
  test('"@" and "" are the apex; labels go under the domain; qualified names stay', () => {
    assert.equal(qualifyName('@', 'Example.com.'), 'example.com');
    assert.equal(qualifyName('', 'example.com'), 'example.com');
    assert.equal(qualifyName('www', 'example.com'), 'www.example.com');
    assert.equal(qualifyName('WWW.example.com.', 'example.com'), 'www.example.com');
    assert.equal(subdomainOf('example.com', 'example.com'), '');
    assert.equal(subdomainOf('a.b.example.com', 'example.com'), 'a.b');
  });

  test('host names compare without case or trailing dot; TXT without quotes; A exactly', () => {
    assert.equal(sameContent('CNAME', 'Target.Pages.dev.', 'target.pages.dev'), true);
    assert.equal(sameContent('TXT', '"v=spf1 -all"', 'v=spf1 -all'), true);
    assert.equal(sameContent('TXT', 'V=spf1', 'v=spf1'), false);
    assert.equal(sameContent('A', '192.0.2.1', '192.0.2.10'), false);
  });
});

describe('planDnsRecords', () => {
  const desired = desiredRecords(
    [
      { type: 'A', name: '@', content: '192.0.2.1' },
      { type: 'A', name: '@', content: '192.0.2.2' },
      { type: 'CNAME', name: 'www', content: 'example.com' },
    ],
    'example.com',
  );

  test('same content is unchanged; a different content takes over a live record; only what is missing is created', () => {
    const plan = planDnsRecords(desired, [live('1', 'A', 'example.com', '192.0.2.2'), live('2', 'CNAME', 'www.example.com', 'old.example.net')], new Set());
    assert.deepEqual(plan.unchanged.map((u) => u.live.id), ['1']);
    assert.deepEqual(plan.update.map((u) => [u.live.id, u.desired.content, u.changed]), [['2', 'example.com', ['content']]]);
    assert.deepEqual(plan.create.map((c) => c.content), ['192.0.2.1']);
    assert.deepEqual(plan.remove, []);
  });

  test('records this provisioner created are taken over first and removed when no longer declared; others never', () => {
    const plan = planDnsRecords(
      desired.slice(0, 1),
      [live('theirs', 'A', 'example.com', '203.0.113.5'), live('ours', 'A', 'example.com', '192.0.2.9'), live('old', 'TXT', 'example.com', 'x'), live('keep', 'MX', 'example.com', 'mx.example.com')],
      new Set(['ours', 'old']),
    );
    assert.deepEqual(plan.update.map((u) => u.live.id), ['ours']);
    assert.deepEqual(plan.remove.map((r) => r.id).sort(), ['old']);
    assert.deepEqual(plan.create, []);
  });

  test('declared ttl, proxied and priority are compared; undeclared ones are not', () => {
    const [record] = desiredRecords([{ type: 'CNAME', name: 'www', content: 'x.example.net', ttl: 300, proxied: true }], 'example.com');
    const plan = planDnsRecords([record!], [live('1', 'CNAME', 'www.example.com', 'x.example.net', { ttl: 1, proxied: false })], new Set(), { compareProxied: true });
    assert.deepEqual(plan.update[0]!.changed, ['ttl', 'proxied']);
    const loose = desiredRecords([{ type: 'CNAME', name: 'www', content: 'x.example.net' }], 'example.com');
    assert.equal(planDnsRecords(loose, [live('1', 'CNAME', 'www.example.com', 'x.example.net', { ttl: 1 })], new Set()).unchanged.length, 1);
  });
});

test('recordDrift: changed content, ttl and deleted records, by id', () => {
  const recorded = [
    { id: '1', type: 'A', name: 'example.com', content: '192.0.2.1', ttl: 600 },
    { id: '2', type: 'CNAME', name: 'www.example.com', content: 'example.com' },
  ];
  const { findings, missing } = recordDrift(recorded, [live('1', 'A', 'example.com', '192.0.2.99', { ttl: 300 })]);
  assert.deepEqual(findings.map((f) => f.field), ['records[0].content', 'records[0].ttl', 'records[1]']);
  assert.deepEqual(missing.map((m) => m.id), ['2']);
  assert.deepEqual(recordDrift(recorded.slice(0, 1), [live('1', 'A', 'example.com', '192.0.2.1', { ttl: 600 })]).findings, []);
});
