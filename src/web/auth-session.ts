/**
 * The API token for this tab (sessionStorage: it survives a reload, not the tab), and who to
 * tell when the server refuses it. graphql-client.ts and live-feed.ts read it per request.
 */
const KEY = 'tickstock.apiToken';
let refusedListener: (() => void) | null = null;

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the user signs in again on reload
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
  } catch {
    // nothing to keep it in; this page load still works with the token in memory
  }
  memory = token;
}

let memory: string | null = null;

/** The token to send now (memory first: storage may be disabled). */
export function currentToken(): string | null {
  return memory ?? storedToken();
}

/** `Authorization` header value, or null when signed out. */
export function bearer(): string | null {
  const token = currentToken();
  return token === null ? null : `Bearer ${token}`;
}

export function onTokenRefused(listener: () => void): void {
  refusedListener = listener;
}

/** A request got 401: the stored token is wrong (or was rotated on the server). */
export function tokenRefused(): void {
  refusedListener?.();
}
