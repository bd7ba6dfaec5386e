import { buildSchema as buildSdlSchema, parse, specifiedRules, validate } from 'graphql';
import {
  complexityError,
  depthLimitRule,
  MAX_QUERY_COMPLEXITY,
} from '../../src/http/graphql-limits';
import { createDataSource } from '../../ormconfig';
import { createAppEvents } from '../../src/events/app-events';
import { buildApiSchema } from '../../src/resolvers/build-schema';
import { createReadRepositories } from '../../src/repositories/read-repositories';
import { createApiServices } from '../../src/services/api-services';

/** The API's schema, wired as a server wires it; costing never runs a resolver, so the database is never opened. */
function buildAppSchema() {
  const unopened = createDataSource({
    kind: 'postgres',
    url: 'postgres://unused@127.0.0.1:1/unused',
  });
  const services = createApiServices({
    repositories: createReadRepositories(unopened),
    events: createAppEvents(),
    status: () => {
      throw new Error('the status is not read when costing a query');
    },
  });
  return buildApiSchema(services);
}

/** A schema with a cycle, so depth is unbounded unless limited. */
const recursive = buildSdlSchema(`
  type Query { node: Node }
  type Node { id: ID, child: Node, children: [Node] }
`);

function depthErrors(query: string, max: number): string[] {
  return validate(recursive, parse(query), [...specifiedRules, depthLimitRule(max)]).map(
    (error) => error.message,
  );
}

/** `{ node { child { … { id } } } }`, exactly `depth` fields deep. */
function nested(depth: number): string {
  let selection = 'id';
  for (let i = 2; i < depth; i++) selection = `child { ${selection} }`;
  return `{ node { ${selection} } }`;
}

describe('depthLimitRule', () => {
  it('allows exactly the maximum depth and rejects one more', () => {
    expect(depthErrors(nested(4), 5)).toEqual([]);
    expect(depthErrors(nested(5), 5)).toEqual([]);
    expect(depthErrors(nested(6), 5)).toEqual([
      'Operation is nested deeper than the maximum of 5 levels.',
    ]);
  });

  it('follows fragments and inline fragments, and names the operation', () => {
    const query = `
      query Deep { node { ...A } }
      fragment A on Node { child { ... on Node { child { ...B } } } }
      fragment B on Node { child { child { id } } }`;
    expect(depthErrors(query, 6)).toEqual([]);
    expect(depthErrors(query, 5)).toEqual([
      'Operation "Deep" is nested deeper than the maximum of 5 levels.',
    ]);
  });

  it('does not count introspection', () => {
    const introspection =
      '{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }';
    expect(depthErrors(introspection, 2)).toEqual([]);
  });

  it('stays fast on fragment fan-out (memoised)', () => {
    // F0 spreads F1 twice, F1 spreads F2 twice…: 2^30 paths if walked naively.
    const fragments = Array.from({ length: 30 }, (_, i) =>
      i === 29
        ? `fragment F${i} on Node { id }`
        : `fragment F${i} on Node { ...F${i + 1} children { ...F${i + 1} } }`,
    ).join('\n');
    const errors = depthErrors(`{ node { ...F0 } } ${fragments}`, 5);
    expect(errors).toContain('Operation is nested deeper than the maximum of 5 levels.');
  });
});

describe('complexityError (on the app schema)', () => {
  const BAR = 'symbol timestamp open high low close volume vwap';

  it('charges list fields by their limit, with the default when none is given', async () => {
    const schema = await buildAppSchema();
    const cost = (query: string, variables?: Record<string, unknown>) => {
      const error = complexityError(schema, parse(query), variables, undefined, 0);
      return error === null ? 0 : (error.extensions.cost as number);
    };
    expect(cost(`{ recentTicks(symbol: "A", limit: 10) { ${BAR} } }`)).toBe(1 + 10 * 8);
    expect(cost(`{ recentTicks(symbol: "A") { ${BAR} } }`)).toBe(1 + 100 * 8);
    expect(
      cost(`query($l: Int) { recentTicks(symbol: "A", limit: $l) { close } }`, { l: 500 }),
    ).toBe(1 + 500);
    // Out-of-range limits are costed at the cap: the resolver rejects them with BAD_USER_INPUT.
    expect(cost(`{ recentTicks(symbol: "A", limit: 1000000) { close } }`)).toBe(1 + 1000);
    expect(cost(`{ symbols(limit: 20) { symbol latestBar { close } } }`)).toBe(1 + 20 * (1 + 2));
  });

  it('rejects over-budget operations with QUERY_TOO_COMPLEX and passes others', async () => {
    const schema = await buildAppSchema();
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: recentTicks(symbol: "A", limit: 1000) { ${BAR} }`).join(' ')} }`;
    expect(
      complexityError(schema, parse(aliases(3)), undefined, undefined, MAX_QUERY_COMPLEXITY),
    ).toBeNull();
    const error = complexityError(
      schema,
      parse(aliases(4)),
      undefined,
      undefined,
      MAX_QUERY_COMPLEXITY,
    );
    expect(error?.extensions).toEqual({
      code: 'QUERY_TOO_COMPLEX',
      cost: 4 * 8001,
      maxCost: MAX_QUERY_COMPLEXITY,
      http: { status: 400 },
    });
  });

  it('leaves variable coercion errors to execution', async () => {
    const schema = await buildAppSchema();
    const query = parse('query($l: Int) { recentTicks(symbol: "A", limit: $l) { close } }');
    expect(complexityError(schema, query, { l: 'many' }, undefined, 1)).toBeNull();
  });
});
