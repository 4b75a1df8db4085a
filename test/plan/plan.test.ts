import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPlan, declarationHash, planSummaryLine, UnknownServiceError } from '../../engine/plan/plan';
import type { ServiceState } from '../../engine/run/state';
import { analyzeText } from '../helpers/analyze';
import { routingRegistry } from '../helpers/registry';

const system = `name: shop
services:
  web:
    type: process
    command: node web.js
    depends_on: [api]
  api:
    type: process
    command: node api.js
    depends_on: [db]
  db:
    type: process
    command: postgres
  docs:
    type: external
`;

function stored(serviceId: string, extra: Partial<ServiceState> = {}): [string, ServiceState] {
  return [
    serviceId,
    {
      serviceId,
      provider: 'local-process',
      status: 'provisioned',
      record: { provider: 'local-process', resourceId: `pid:1`, provisionedAt: '2026-01-01T00:00:00Z' },
      updatedAt: '2026-01-01T00:00:00Z',
      ...extra,
    },
  ];
}

describe('plan', () => {
  test('nothing recorded: everything provisionable is created, in dependency order', () => {
    const model = analyzeText({ base: system });
    const plan = buildPlan(model, routingRegistry(), new Map());
    assert.deepEqual(plan.rows.map((r) => `${r.symbol} ${r.serviceId} ${r.provider ?? ''}`.trim()), ['+ db local-process', '+ api local-process', '+ web local-process', '• docs']);
    assert.equal(planSummaryLine(plan.summary), 'Plan: 3 to create, 0 to update, 0 unchanged, 1 skipped.');
  });

  test('recorded services are verified, changed ones updated, undeclared ones removed', () => {
    const model = analyzeText({ base: system });
    const state = new Map([
      stored('db', { configHash: declarationHash(model.byId.get('db')!) }),
      stored('api', { configHash: 'an-older-declaration' }),
      stored('cache'),
    ]);
    const plan = buildPlan(model, routingRegistry(), state);
    assert.deepEqual(
      plan.rows.map((r) => [r.serviceId, r.action, r.symbol]),
      [
        ['db', 'verify', '~'],
        ['api', 'update', '~'],
        ['web', 'create', '+'],
        ['docs', 'skip', '•'],
        ['cache', 'remove', '-'],
      ],
    );
    assert.equal(planSummaryLine(plan.summary), 'Plan: 1 to create, 1 to update, 1 unchanged, 1 to remove, 1 skipped.');
  });

  test('a pending record without a resource (a run that died before creating) plans a create', () => {
    const model = analyzeText({ base: system });
    const plan = buildPlan(model, routingRegistry(), new Map([stored('db', { status: 'pending', record: undefined })]));
    assert.equal(plan.rows[0]!.action, 'create');
    assert.match(plan.rows[0]!.detail, /did not finish/);
  });

  test('the overlay _state block counts as recorded when the state store has nothing', () => {
    const model = analyzeText({
      base: `services:\n  db:\n    type: database\n    provision:\n      provider: neon\n`,
      overlay: {
        env: 'prod',
        text: `environment: prod\nservices:\n  db:\n    provision:\n      _state:\n        provider: neon\n        resourceId: proj_1\n        provisionedAt: "2026-04-27T12:00:00Z"\n`,
      },
    });
    const plan = buildPlan(model, routingRegistry(), new Map());
    assert.equal(plan.rows[0]!.action, 'verify');
    assert.equal(plan.rows[0]!.recorded?.source, 'overlay');
    assert.equal(plan.rows[0]!.recorded?.record?.resourceId, 'proj_1');
  });

  test('--service selects a service with its dependencies, --no-deps without', () => {
    const model = analyzeText({ base: system });
    assert.deepEqual(buildPlan(model, routingRegistry(), new Map(), { services: ['api'] }).rows.map((r) => r.serviceId), ['db', 'api']);
    assert.deepEqual(buildPlan(model, routingRegistry(), new Map(), { services: ['api'], noDeps: true }).rows.map((r) => r.serviceId), ['api']);
    assert.throws(() => buildPlan(model, routingRegistry(), new Map(), { services: ['nope'] }), UnknownServiceError);
  });

  test('the declaration hash ignores the engine-written _state but not user settings', () => {
    const a = analyzeText({ base: `services:\n  db:\n    type: database\n    provision:\n      provider: neon\n      region: us-east-2\n` });
    const b = analyzeText({ base: `services:\n  db:\n    type: database\n    provision:\n      provider: neon\n      region: us-east-2\n      _state:\n        provider: neon\n        resourceId: x\n        provisionedAt: t\n` });
    const c = analyzeText({ base: `services:\n  db:\n    type: database\n    provision:\n      provider: neon\n      region: eu-central-1\n` });
    assert.equal(declarationHash(a.byId.get('db')!), declarationHash(b.byId.get('db')!));
    assert.notEqual(declarationHash(a.byId.get('db')!), declarationHash(c.byId.get('db')!));
  });
});
