import { serverAudits } from 'graphql-http';
import { useTestApi } from '../helpers/api-server';

/**
 * The GraphQL-over-HTTP spec audit from the `graphql-http` package, run against our /graphql.
 * Every MUST passes; SHOULD/MAY results are printed. Apollo's CSRF prevention rejects "simple"
 * GETs without a preflight header by design, which is what most non-MUST failures are.
 * One database kind is enough: nothing here touches data.
 */
describe('graphql-http server audit', () => {
  const { api } = useTestApi('pglite');

  it('passes every MUST-level audit', async () => {
    const audits = serverAudits({ url: `${api.url}/graphql` });
    const results = [];
    for (const audit of audits) results.push(await audit.fn());
    const passed = results.filter((result) => result.status === 'ok');
    const failedMusts = results.filter(
      (result) => result.status !== 'ok' && result.name.startsWith('MUST'),
    );
    const summary = results
      .filter((result) => result.status !== 'ok')
      .map((result) => `  ${result.status.padEnd(6)} ${result.name}`)
      .join('\n');
    console.log(
      `graphql-http audit: ${passed.length}/${results.length} passed ` +
        `(MUST: ${results.filter((r) => r.name.startsWith('MUST')).length - failedMusts.length}/${results.filter((r) => r.name.startsWith('MUST')).length})\n${summary}`,
    );
    expect(results.length).toBeGreaterThan(30);
    expect(
      failedMusts.map((result) => `${result.name}: ${'reason' in result ? result.reason : ''}`),
    ).toEqual([]);
  });
});
