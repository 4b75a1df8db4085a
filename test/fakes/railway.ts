/**
 * A fake Railway public API (GraphQL v2) on 127.0.0.1. It parses each operation it is sent
 * (a small parser for the subset of GraphQL a client writes: one operation, variables,
 * arguments, nested selections, aliases), validates it against the part of Railway's schema
 * it models (unknown fields, missing selections, missing required variables are GraphQL
 * errors, as on the real endpoint), runs it against projects, environments, services,
 * service instances, variables and deployments kept in memory, and answers only the fields
 * that were selected. Errors come back the GraphQL way: HTTP 200 with `{errors, data}`.
 * Deployments go INITIALIZING -> DEPLOYING -> SUCCESS over `deployMs`; helpers change things
 * out of band for drift tests.
 */
import { randomUUID } from 'node:crypto';
import { FakeServer, type FakeRequest, type FakeResponse } from './base';

// ---------------------------------------------------------------------------------------------
// A small GraphQL parser

type GqlValue =
  | { kind: 'variable'; name: string }
  | { kind: 'literal'; value: unknown }
  | { kind: 'list'; items: GqlValue[] }
  | { kind: 'object'; fields: Record<string, GqlValue> };

export interface GqlField {
  alias?: string;
  name: string;
  args: Record<string, GqlValue>;
  selections?: GqlField[];
}

export interface GqlOperation {
  type: 'query' | 'mutation';
  name?: string;
  variables: { name: string; type: string; hasDefault: boolean }[];
  selections: GqlField[];
}

export class GraphQLSyntaxError extends Error {}

interface Token {
  kind: 'punct' | 'name' | 'string' | 'number';
  value: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/[\s,\ufeff]/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (source.startsWith('...', i)) {
      tokens.push({ kind: 'punct', value: '...' });
      i += 3;
    } else if ('!$():=@[]{}|&'.includes(c)) {
      tokens.push({ kind: 'punct', value: c });
      i++;
    } else if (/[_A-Za-z]/.test(c)) {
      const m = /^[_A-Za-z][_0-9A-Za-z]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'name', value: m[0] });
      i += m[0].length;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
      if (!m) throw new GraphQLSyntaxError(`Syntax Error: Invalid number at ${i}.`);
      tokens.push({ kind: 'number', value: m[0] });
      i += m[0].length;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3);
        if (end < 0) throw new GraphQLSyntaxError('Syntax Error: Unterminated string.');
        tokens.push({ kind: 'string', value: source.slice(i + 3, end) });
        i = end + 3;
        continue;
      }
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= source.length || source[j] === '\n') throw new GraphQLSyntaxError('Syntax Error: Unterminated string.');
        const ch = source[j]!;
        if (ch === '"') break;
        if (ch === '\\') {
          const next = source[j + 1];
          const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (next !== undefined && next in simple) {
            text += simple[next];
            j += 2;
          } else if (next === 'u') {
            text += String.fromCharCode(parseInt(source.slice(j + 2, j + 6), 16));
            j += 6;
          } else {
            throw new GraphQLSyntaxError(`Syntax Error: Invalid character escape sequence: \\${next}.`);
          }
          continue;
        }
        text += ch;
        j++;
      }
      tokens.push({ kind: 'string', value: text });
      i = j + 1;
    } else {
      throw new GraphQLSyntaxError(`Syntax Error: Unexpected character "${c}".`);
    }
  }
  return tokens;
}

export function parseOperation(source: string): GqlOperation {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const token = tokens[pos++];
    if (!token) throw new GraphQLSyntaxError('Syntax Error: Unexpected <EOF>.');
    return token;
  };
  const expect = (value: string) => {
    const token = next();
    if (token.value !== value || (token.kind !== 'punct' && token.kind !== 'name')) {
      throw new GraphQLSyntaxError(`Syntax Error: Expected "${value}", found "${token.value}".`);
    }
  };
  const name = () => {
    const token = next();
    if (token.kind !== 'name') throw new GraphQLSyntaxError(`Syntax Error: Expected Name, found "${token.value}".`);
    return token.value;
  };
  const isPunct = (value: string) => peek()?.kind === 'punct' && peek()?.value === value;

  const parseType = (): string => {
    let type: string;
    if (isPunct('[')) {
      next();
      type = `[${parseType()}]`;
      expect(']');
    } else {
      type = name();
    }
    if (isPunct('!')) {
      next();
      type += '!';
    }
    return type;
  };

  const parseValue = (): GqlValue => {
    const token = next();
    if (token.kind === 'punct' && token.value === '$') return { kind: 'variable', name: name() };
    if (token.kind === 'string') return { kind: 'literal', value: token.value };
    if (token.kind === 'number') return { kind: 'literal', value: Number(token.value) };
    if (token.kind === 'name') {
      if (token.value === 'true') return { kind: 'literal', value: true };
      if (token.value === 'false') return { kind: 'literal', value: false };
      if (token.value === 'null') return { kind: 'literal', value: null };
      return { kind: 'literal', value: token.value };
    }
    if (token.value === '[') {
      const items: GqlValue[] = [];
      while (!isPunct(']')) items.push(parseValue());
      next();
      return { kind: 'list', items };
    }
    if (token.value === '{') {
      const fields: Record<string, GqlValue> = {};
      while (!isPunct('}')) {
        const key = name();
        expect(':');
        fields[key] = parseValue();
      }
      next();
      return { kind: 'object', fields };
    }
    throw new GraphQLSyntaxError(`Syntax Error: Unexpected "${token.value}".`);
  };

  const parseSelections = (): GqlField[] => {
    expect('{');
    const fields: GqlField[] = [];
    while (!isPunct('}')) {
      if (isPunct('...')) throw new GraphQLSyntaxError('Fragments are not supported by this fake.');
      let fieldName = name();
      let alias: string | undefined;
      if (isPunct(':')) {
        next();
        alias = fieldName;
        fieldName = name();
      }
      const args: Record<string, GqlValue> = {};
      if (isPunct('(')) {
        next();
        while (!isPunct(')')) {
          const argName = name();
          expect(':');
          args[argName] = parseValue();
        }
        next();
      }
      const field: GqlField = { name: fieldName, args, ...(alias ? { alias } : {}) };
      if (isPunct('{')) field.selections = parseSelections();
      fields.push(field);
    }
    next();
    if (fields.length === 0) throw new GraphQLSyntaxError('Syntax Error: Expected Name, found "}".');
    return fields;
  };

  let type: 'query' | 'mutation' = 'query';
  let opName: string | undefined;
  const variables: GqlOperation['variables'] = [];
  if (peek()?.kind === 'name') {
    const keyword = name();
    if (keyword !== 'query' && keyword !== 'mutation') {
      throw new GraphQLSyntaxError(`Syntax Error: Unexpected Name "${keyword}" (only query and mutation are supported).`);
    }
    type = keyword;
    if (peek()?.kind === 'name') opName = name();
    if (isPunct('(')) {
      next();
      while (!isPunct(')')) {
        expect('$');
        const varName = name();
        expect(':');
        const varType = parseType();
        let hasDefault = false;
        if (isPunct('=')) {
          next();
          parseValue();
          hasDefault = true;
        }
        variables.push({ name: varName, type: varType, hasDefault });
      }
      next();
    }
  }
  const selections = parseSelections();
  if (pos !== tokens.length) throw new GraphQLSyntaxError('This fake takes one operation per document.');
  return { type, ...(opName ? { name: opName } : {}), variables, selections };
}

function resolveValue(value: GqlValue, variables: Record<string, unknown>): unknown {
  switch (value.kind) {
    case 'variable':
      return variables[value.name] ?? null;
    case 'literal':
      return value.value;
    case 'list':
      return value.items.map((item) => resolveValue(item, variables));
    case 'object':
      return Object.fromEntries(Object.entries(value.fields).map(([k, v]) => [k, resolveValue(v, variables)]));
  }
}

// ---------------------------------------------------------------------------------------------
// The part of Railway's schema this fake serves (field -> type; "!" and "[...]" as in SDL)

const SCALARS = new Set(['String', 'Int', 'Boolean', 'DateTime', 'JSON', 'EnvironmentVariables', 'DeploymentStatus']);

const TYPES: Record<string, Record<string, string>> = {
  Query: {
    projects: 'ProjectConnection!',
    project: 'Project!',
    service: 'Service!',
    serviceInstance: 'ServiceInstance!',
    variables: 'EnvironmentVariables!',
    deployment: 'Deployment!',
    deployments: 'DeploymentConnection!',
  },
  Mutation: {
    projectCreate: 'Project!',
    projectDelete: 'Boolean!',
    serviceCreate: 'Service!',
    serviceDelete: 'Boolean!',
    serviceInstanceUpdate: 'Boolean!',
    variableCollectionUpsert: 'Boolean!',
    variableDelete: 'Boolean!',
    serviceInstanceDeployV2: 'String!',
    serviceInstanceRedeploy: 'Boolean!',
  },
  PageInfo: { hasNextPage: 'Boolean!', hasPreviousPage: 'Boolean!', startCursor: 'String', endCursor: 'String' },
  ProjectConnection: { edges: '[ProjectEdge!]!', pageInfo: 'PageInfo!' },
  ProjectEdge: { node: 'Project!', cursor: 'String!' },
  Project: {
    id: 'String!',
    name: 'String!',
    description: 'String',
    createdAt: 'DateTime!',
    updatedAt: 'DateTime!',
    workspaceId: 'String',
    environments: 'EnvironmentConnection!',
    services: 'ServiceConnection!',
  },
  EnvironmentConnection: { edges: '[EnvironmentEdge!]!', pageInfo: 'PageInfo!' },
  EnvironmentEdge: { node: 'Environment!', cursor: 'String!' },
  Environment: { id: 'String!', name: 'String!', projectId: 'String!', createdAt: 'DateTime!' },
  ServiceConnection: { edges: '[ServiceEdge!]!', pageInfo: 'PageInfo!' },
  ServiceEdge: { node: 'Service!', cursor: 'String!' },
  Service: { id: 'String!', name: 'String!', projectId: 'String!', icon: 'String', createdAt: 'DateTime!', updatedAt: 'DateTime!' },
  ServiceInstance: {
    id: 'String!',
    serviceId: 'String!',
    serviceName: 'String!',
    environmentId: 'String!',
    region: 'String',
    numReplicas: 'Int',
    startCommand: 'String',
    healthcheckPath: 'String',
    source: 'ServiceSource',
    latestDeployment: 'Deployment',
  },
  ServiceSource: { image: 'String', repo: 'String' },
  DeploymentConnection: { edges: '[DeploymentEdge!]!', pageInfo: 'PageInfo!' },
  DeploymentEdge: { node: 'Deployment!', cursor: 'String!' },
  Deployment: {
    id: 'String!',
    status: 'DeploymentStatus!',
    createdAt: 'DateTime!',
    updatedAt: 'DateTime!',
    projectId: 'String!',
    serviceId: 'String',
    environmentId: 'String!',
    url: 'String',
    staticUrl: 'String',
    canRedeploy: 'Boolean!',
    canRollback: 'Boolean!',
  },
};

const baseType = (type: string) => type.replace(/[[\]!]/g, '');

/** The validation errors of an operation against the schema (empty when valid). */
function validate(op: GqlOperation, variables: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const v of op.variables) {
    if (v.type.endsWith('!') && !v.hasDefault && (variables[v.name] === undefined || variables[v.name] === null)) {
      errors.push(`Variable "$${v.name}" of required type "${v.type}" was not provided.`);
    }
  }
  const walk = (fields: GqlField[], typeName: string) => {
    for (const field of fields) {
      if (field.name === '__typename') continue;
      const type = TYPES[typeName]?.[field.name];
      if (!type) {
        errors.push(`Cannot query field "${field.name}" on type "${typeName}".`);
        continue;
      }
      const inner = baseType(type);
      if (SCALARS.has(inner)) {
        if (field.selections) errors.push(`Field "${field.name}" must not have a selection since type "${type}" has no subfields.`);
      } else if (!field.selections) {
        errors.push(`Field "${field.name}" of type "${type}" must have a selection of subfields.`);
      } else {
        walk(field.selections, inner);
      }
    }
  };
  walk(op.selections, op.type === 'mutation' ? 'Mutation' : 'Query');
  return errors;
}

/** Keeps only the selected fields of a resolved value (aliases applied). */
function project(value: unknown, field: GqlField, typeName: string): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => project(item, field, typeName));
  if (!field.selections) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const sub of field.selections) {
    const key = sub.alias ?? sub.name;
    if (sub.name === '__typename') {
      out[key] = typeName;
      continue;
    }
    const subType = baseType(TYPES[typeName]![sub.name]!);
    out[key] = project(source[sub.name], sub, subType);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The fake API

class FieldError extends Error {
  constructor(
    message: string,
    readonly code = 'INTERNAL_SERVER_ERROR',
  ) {
    super(message);
  }
}

export interface FakeRailwayProject {
  id: string;
  name: string;
  workspaceId: string | null;
  createdAt: string;
  environments: { id: string; name: string; createdAt: string }[];
}

export interface FakeRailwayService {
  id: string;
  name: string;
  projectId: string;
  createdAt: string;
}

export interface FakeRailwayInstance {
  id: string;
  serviceId: string;
  environmentId: string;
  image: string | null;
  region: string;
  variables: Record<string, string>;
}

export interface FakeRailwayDeployment {
  id: string;
  projectId: string;
  serviceId: string;
  environmentId: string;
  image: string | null;
  createdAt: string;
  startedAt: number;
  /** How the deployment ends once its time is up. */
  outcome: 'SUCCESS' | 'FAILED' | 'CRASHED';
}

export interface FakeRailwayOptions {
  token?: string;
  /** How long a deployment takes to reach its outcome, in ms (default 300). */
  deployMs?: number;
}

/** One GraphQL request the fake answered: its operation type and name, and its variables. */
export interface RailwayOperationRecord {
  type: 'query' | 'mutation';
  name: string;
  fields: string[];
  variables: Record<string, unknown>;
}

export class FakeRailway extends FakeServer {
  readonly token: string;
  deployMs: number;
  readonly projects = new Map<string, FakeRailwayProject>();
  readonly services = new Map<string, FakeRailwayService>();
  readonly instances = new Map<string, FakeRailwayInstance>();
  readonly deployments = new Map<string, FakeRailwayDeployment>();
  /** Every operation that parsed, in order. */
  readonly operations: RailwayOperationRecord[] = [];
  private nextOutcomes: FakeRailwayDeployment['outcome'][] = [];
  private readonly lostFields: string[] = [];

  constructor(options: FakeRailwayOptions = {}) {
    super();
    this.token = options.token ?? 'test-token-0123456789';
    this.deployMs = options.deployMs ?? 300;
    this.errorBody = (_status, message) => ({ errors: [{ message }] });
    this.route('POST', '/graphql/v2', (req) => this.handleGraphQL(req));
  }

  /** The GraphQL endpoint, what STARSYSTEM_RAILWAY_API_URL is set to. */
  get endpoint(): string {
    return `${this.url}/graphql/v2`;
  }

  /** Names of the mutations answered so far, in order. */
  mutations(): string[] {
    return this.operations.filter((o) => o.type === 'mutation').map((o) => o.fields.join(','));
  }

  // --- out-of-band changes for tests ---------------------------------------------------------

  addProject(name: string, environments = ['production']): FakeRailwayProject {
    const project: FakeRailwayProject = {
      id: randomUUID(),
      name,
      workspaceId: null,
      createdAt: new Date().toISOString(),
      environments: environments.map((env) => ({ id: randomUUID(), name: env, createdAt: new Date().toISOString() })),
    };
    this.projects.set(project.id, project);
    return project;
  }

  /** The next deployments end with these outcomes instead of SUCCESS. */
  failNextDeployments(...outcomes: FakeRailwayDeployment['outcome'][]): void {
    this.nextOutcomes.push(...outcomes);
  }

  /** The next request running this root field is carried out, but its answer is lost (the connection drops). */
  loseAnswerTo(field: string): void {
    this.lostFields.push(field);
  }

  setImage(serviceId: string, image: string): void {
    for (const instance of this.instances.values()) if (instance.serviceId === serviceId) instance.image = image;
  }

  removeService(serviceId: string): void {
    this.deleteService(serviceId);
  }

  instanceOf(serviceId: string, environmentId?: string): FakeRailwayInstance | undefined {
    return [...this.instances.values()].find((i) => i.serviceId === serviceId && (!environmentId || i.environmentId === environmentId));
  }

  deploymentStatus(deployment: FakeRailwayDeployment): string {
    const elapsed = Date.now() - deployment.startedAt;
    if (elapsed < this.deployMs / 3) return 'INITIALIZING';
    if (elapsed < this.deployMs) return 'DEPLOYING';
    if (deployment.outcome !== 'SUCCESS') return deployment.outcome;
    // A successful deployment is replaced (REMOVED) once a newer one of the same instance succeeds.
    const newer = [...this.deployments.values()].some(
      (d) =>
        d.serviceId === deployment.serviceId &&
        d.environmentId === deployment.environmentId &&
        d.startedAt > deployment.startedAt &&
        d.outcome === 'SUCCESS' &&
        Date.now() - d.startedAt >= this.deployMs,
    );
    return newer ? 'REMOVED' : 'SUCCESS';
  }

  // --- GraphQL ---------------------------------------------------------------------------------

  private handleGraphQL(req: FakeRequest): FakeResponse {
    const body = req.json as { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
    if (!body || typeof body.query !== 'string') {
      return { status: 400, body: { errors: [{ message: 'Must provide query string.' }] } };
    }
    const variables = (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<string, unknown>;
    let op: GqlOperation;
    try {
      op = parseOperation(body.query);
    } catch (error) {
      return { status: 400, body: { errors: [{ message: (error as Error).message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] } };
    }
    if (typeof body.operationName === 'string' && op.name && body.operationName !== op.name) {
      return { status: 400, body: { errors: [{ message: `Unknown operation named "${body.operationName}".` }] } };
    }
    const validation = validate(op, variables);
    if (validation.length > 0) {
      return { status: 400, body: { errors: validation.map((message) => ({ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) } };
    }
    this.operations.push({ type: op.type, name: op.name ?? '', fields: op.selections.map((f) => f.name), variables });

    // Railway answers an unauthenticated request with a GraphQL error, not an HTTP status.
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return { status: 200, body: { data: null, errors: [{ message: 'Not Authorized', path: [op.selections[0]!.alias ?? op.selections[0]!.name] }] } };
    }

    const rootType = op.type === 'mutation' ? 'Mutation' : 'Query';
    const data: Record<string, unknown> = {};
    const errors: { message: string; path: string[]; extensions: { code: string } }[] = [];
    for (const field of op.selections) {
      const key = field.alias ?? field.name;
      const args = Object.fromEntries(Object.entries(field.args).map(([k, v]) => [k, resolveValue(v, variables)]));
      try {
        const value = this.resolve(op.type, field.name, args);
        data[key] = project(value, field, baseType(TYPES[rootType]![field.name]!));
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        errors.push({ message: error.message, path: [key], extensions: { code: error.code } });
      }
    }
    const lost = this.lostFields.indexOf(op.selections[0]!.name);
    if (lost >= 0) {
      this.lostFields.splice(lost, 1);
      return { status: 200, drop: true };
    }
    // Every root field is non-null: one error nulls the whole data.
    return { status: 200, body: errors.length > 0 ? { data: null, errors } : { data } };
  }

  private resolve(type: 'query' | 'mutation', field: string, args: Record<string, unknown>): unknown {
    const str = (name: string, from: Record<string, unknown> = args) => {
      const value = from[name];
      if (typeof value !== 'string' || value === '') throw new FieldError(`Argument "${name}" is required.`, 'BAD_USER_INPUT');
      return value;
    };
    const input = () => {
      const value = args.input;
      if (!value || typeof value !== 'object') throw new FieldError('Argument "input" is required.', 'BAD_USER_INPUT');
      return value as Record<string, unknown>;
    };

    if (type === 'query') {
      switch (field) {
        case 'projects': {
          const workspaceId = typeof args.workspaceId === 'string' ? args.workspaceId : null;
          const all = [...this.projects.values()].filter((p) => p.workspaceId === workspaceId);
          return connection(all.map((p) => this.projectView(p)), args);
        }
        case 'project':
          return this.projectView(this.projectById(str('id')));
        case 'service':
          return this.serviceView(this.serviceById(str('id')));
        case 'serviceInstance': {
          const service = this.serviceById(str('serviceId'));
          const instance = this.instances.get(`${service.id}:${str('environmentId')}`);
          if (!instance) throw new FieldError('ServiceInstance not found', 'NOT_FOUND');
          return this.instanceView(instance);
        }
        case 'variables': {
          const project = this.projectById(str('projectId'));
          const environmentId = str('environmentId');
          if (!project.environments.some((e) => e.id === environmentId)) throw new FieldError('Environment not found', 'NOT_FOUND');
          if (typeof args.serviceId !== 'string') return {};
          const service = this.serviceById(args.serviceId);
          const instance = this.instances.get(`${service.id}:${environmentId}`);
          if (!instance) throw new FieldError('ServiceInstance not found', 'NOT_FOUND');
          const env = project.environments.find((e) => e.id === environmentId)!;
          // Railway adds its own variables to every service.
          return {
            RAILWAY_PROJECT_NAME: project.name,
            RAILWAY_ENVIRONMENT_NAME: env.name,
            RAILWAY_SERVICE_NAME: service.name,
            RAILWAY_PROJECT_ID: project.id,
            RAILWAY_ENVIRONMENT_ID: env.id,
            RAILWAY_SERVICE_ID: service.id,
            ...instance.variables,
          };
        }
        case 'deployment': {
          const deployment = this.deployments.get(str('id'));
          if (!deployment) throw new FieldError('Deployment not found', 'NOT_FOUND');
          return this.deploymentView(deployment);
        }
        case 'deployments': {
          const filter = (args.input ?? {}) as Record<string, unknown>;
          const list = [...this.deployments.values()]
            .filter(
              (d) =>
                (!filter.projectId || d.projectId === filter.projectId) &&
                (!filter.serviceId || d.serviceId === filter.serviceId) &&
                (!filter.environmentId || d.environmentId === filter.environmentId),
            )
            .sort((a, b) => b.startedAt - a.startedAt);
          return connection(list.map((d) => this.deploymentView(d)), args);
        }
      }
    } else {
      switch (field) {
        case 'projectCreate': {
          const data = input();
          const name = typeof data.name === 'string' && data.name !== '' ? data.name : `project-${this.projects.size + 1}`;
          const project = this.addProject(name, [typeof data.defaultEnvironmentName === 'string' ? data.defaultEnvironmentName : 'production']);
          project.workspaceId = typeof data.workspaceId === 'string' ? data.workspaceId : null;
          return this.projectView(project);
        }
        case 'projectDelete': {
          const project = this.projectById(str('id'));
          for (const service of [...this.services.values()]) if (service.projectId === project.id) this.deleteService(service.id);
          this.projects.delete(project.id);
          return true;
        }
        case 'serviceCreate': {
          const data = input();
          const project = this.projectById(str('projectId', data));
          const environmentId = typeof data.environmentId === 'string' ? data.environmentId : undefined;
          if (environmentId && !project.environments.some((e) => e.id === environmentId)) throw new FieldError('Environment not found', 'NOT_FOUND');
          const name = typeof data.name === 'string' && data.name !== '' ? data.name : `service-${this.services.size + 1}`;
          if ([...this.services.values()].some((s) => s.projectId === project.id && s.name === name)) {
            throw new FieldError(`Service with name "${name}" already exists in this project`, 'BAD_USER_INPUT');
          }
          const source = (data.source ?? {}) as { image?: unknown };
          const image = typeof source.image === 'string' ? source.image : null;
          const variables = stringRecord(data.variables);
          const service: FakeRailwayService = { id: randomUUID(), name, projectId: project.id, createdAt: new Date().toISOString() };
          this.services.set(service.id, service);
          for (const env of project.environments) {
            if (environmentId && env.id !== environmentId) continue;
            const instance: FakeRailwayInstance = { id: randomUUID(), serviceId: service.id, environmentId: env.id, image, region: 'us-west2', variables: { ...variables } };
            this.instances.set(`${service.id}:${env.id}`, instance);
            // A service created from an image is deployed at once.
            if (image) this.startDeployment(project.id, instance);
          }
          return this.serviceView(service);
        }
        case 'serviceDelete': {
          const service = this.serviceById(str('id'));
          this.deleteService(service.id);
          return true;
        }
        case 'serviceInstanceUpdate': {
          const instance = this.instanceFor(str('serviceId'), str('environmentId'));
          const data = input();
          if (data.source && typeof data.source === 'object') {
            const image = (data.source as { image?: unknown }).image;
            if (typeof image === 'string') instance.image = image;
          }
          if (typeof data.region === 'string') instance.region = data.region;
          return true;
        }
        case 'variableCollectionUpsert': {
          const data = input();
          const project = this.projectById(str('projectId', data));
          const instance = this.instanceFor(str('serviceId', data), str('environmentId', data));
          const variables = stringRecord(data.variables);
          instance.variables = data.replace === true ? variables : { ...instance.variables, ...variables };
          if (data.skipDeploys !== true) this.startDeployment(project.id, instance);
          return true;
        }
        case 'variableDelete': {
          const data = input();
          this.projectById(str('projectId', data));
          const instance = this.instanceFor(str('serviceId', data), str('environmentId', data));
          const name = str('name', data);
          if (!(name in instance.variables)) throw new FieldError(`Variable ${name} not found`, 'NOT_FOUND');
          delete instance.variables[name];
          return true;
        }
        case 'serviceInstanceDeployV2':
        case 'serviceInstanceRedeploy': {
          const instance = this.instanceFor(str('serviceId'), str('environmentId'));
          const service = this.services.get(instance.serviceId)!;
          const deployment = this.startDeployment(service.projectId, instance);
          return field === 'serviceInstanceDeployV2' ? deployment.id : true;
        }
      }
    }
    throw new FieldError(`The fake does not serve ${field}.`);
  }

  private startDeployment(projectId: string, instance: FakeRailwayInstance): FakeRailwayDeployment {
    const deployment: FakeRailwayDeployment = {
      id: randomUUID(),
      projectId,
      serviceId: instance.serviceId,
      environmentId: instance.environmentId,
      image: instance.image,
      createdAt: new Date().toISOString(),
      // Strictly increasing, so "newest" is well defined within one millisecond.
      startedAt: Math.max(Date.now(), ...[...this.deployments.values()].map((d) => d.startedAt + 1)),
      outcome: this.nextOutcomes.shift() ?? 'SUCCESS',
    };
    this.deployments.set(deployment.id, deployment);
    return deployment;
  }

  private deleteService(serviceId: string): void {
    this.services.delete(serviceId);
    for (const [key, instance] of [...this.instances]) if (instance.serviceId === serviceId) this.instances.delete(key);
    for (const [id, deployment] of [...this.deployments]) if (deployment.serviceId === serviceId) this.deployments.delete(id);
  }

  private projectById(id: string): FakeRailwayProject {
    const project = this.projects.get(id);
    if (!project) throw new FieldError('Project not found', 'NOT_FOUND');
    return project;
  }

  private serviceById(id: string): FakeRailwayService {
    const service = this.services.get(id);
    if (!service) throw new FieldError('Service not found', 'NOT_FOUND');
    return service;
  }

  private instanceFor(serviceId: string, environmentId: string): FakeRailwayInstance {
    this.serviceById(serviceId);
    const instance = this.instances.get(`${serviceId}:${environmentId}`);
    if (!instance) throw new FieldError('ServiceInstance not found', 'NOT_FOUND');
    return instance;
  }

  private projectView(p: FakeRailwayProject) {
    const services = [...this.services.values()].filter((s) => s.projectId === p.id);
    return {
      id: p.id,
      name: p.name,
      description: null,
      createdAt: p.createdAt,
      updatedAt: p.createdAt,
      workspaceId: p.workspaceId,
      environments: connection(p.environments.map((e) => ({ ...e, projectId: p.id })), {}),
      services: connection(services.map((s) => this.serviceView(s)), {}),
    };
  }

  private serviceView(s: FakeRailwayService) {
    return { id: s.id, name: s.name, projectId: s.projectId, icon: null, createdAt: s.createdAt, updatedAt: s.createdAt };
  }

  private instanceView(i: FakeRailwayInstance) {
    const latest = [...this.deployments.values()]
      .filter((d) => d.serviceId === i.serviceId && d.environmentId === i.environmentId)
      .sort((a, b) => b.startedAt - a.startedAt)[0];
    return {
      id: i.id,
      serviceId: i.serviceId,
      serviceName: this.services.get(i.serviceId)?.name ?? '',
      environmentId: i.environmentId,
      region: i.region,
      numReplicas: 1,
      startCommand: null,
      healthcheckPath: null,
      source: { image: i.image, repo: null },
      latestDeployment: latest ? this.deploymentView(latest) : null,
    };
  }

  private deploymentView(d: FakeRailwayDeployment) {
    const status = this.deploymentStatus(d);
    return {
      id: d.id,
      status,
      createdAt: d.createdAt,
      updatedAt: d.createdAt,
      projectId: d.projectId,
      serviceId: d.serviceId,
      environmentId: d.environmentId,
      url: null,
      staticUrl: null,
      canRedeploy: true,
      canRollback: status === 'SUCCESS' || status === 'REMOVED',
    };
  }
}

/** A Relay connection over a list, honouring `first` and `after` (the cursor is the index). */
function connection<T>(items: T[], args: Record<string, unknown>) {
  const start = typeof args.after === 'string' ? Number(Buffer.from(args.after, 'base64url').toString()) + 1 : 0;
  const first = typeof args.first === 'number' ? args.first : items.length;
  const page = items.slice(start, start + first);
  const cursor = (i: number) => Buffer.from(String(i)).toString('base64url');
  return {
    edges: page.map((node, i) => ({ node, cursor: cursor(start + i) })),
    pageInfo: {
      hasNextPage: start + first < items.length,
      hasPreviousPage: start > 0,
      startCursor: page.length > 0 ? cursor(start) : null,
      endCursor: page.length > 0 ? cursor(start + page.length - 1) : null,
    },
  };
}

function stringRecord(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}
