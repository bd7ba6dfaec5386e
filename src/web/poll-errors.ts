import type { GraphQLErrorEntry } from './graphql-client';

/** One line for the error banner; says why when the server wants a token the page cannot send. */
export function describeErrors(errors: readonly GraphQLErrorEntry[]): string {
  const text = errors
    .map((e) => (e.path ? `${e.path.join('.')}: ${e.message}` : e.message))
    .join('; ');
  // The sign-in form takes over (auth-session.ts); the banner says why meanwhile.
  return errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
    ? `${text} (the server has API_TOKEN set: sign in with it)`
    : text;
}

/** True when the API refused argument `field` of the top-level field `root` as bad input. */
export function inputRejected(
  errors: readonly GraphQLErrorEntry[],
  root: string,
  field: string,
): boolean {
  return errors.some(
    (e) =>
      e.path?.[0] === root &&
      e.extensions?.code === 'BAD_USER_INPUT' &&
      e.extensions.field === field,
  );
}
