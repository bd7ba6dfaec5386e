/**
 * The sign-in form shown when the server has API_TOKEN: a password field (Enter submits), the
 * reason it is shown (first visit, wrong token, signed out), and the header's sign-out button.
 */
export class SignInView {
  constructor(
    private readonly overlay: HTMLElement,
    private readonly form: HTMLFormElement,
    private readonly input: HTMLInputElement,
    private readonly message: HTMLElement,
    private readonly signOutButton: HTMLButtonElement,
  ) {}

  onSubmit(listener: (token: string) => void): void {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = this.input.value.trim();
      if (token === '') this.show('Enter the API token.', true);
      else listener(token);
    });
  }

  onSignOut(listener: () => void): void {
    this.signOutButton.addEventListener('click', listener);
  }

  /** Shows the form; `error` marks the message as a failure (wrong token) rather than a hint. */
  show(text: string | null, error = false): void {
    this.overlay.hidden = false;
    this.signOutButton.hidden = true;
    this.message.hidden = text === null;
    this.message.textContent = text ?? '';
    this.message.dataset.kind = error ? 'error' : 'info';
    this.input.value = '';
    this.input.focus();
  }

  busy(on: boolean): void {
    this.input.disabled = on;
  }

  signedIn(): void {
    this.overlay.hidden = true;
    this.signOutButton.hidden = false;
    this.busy(false);
  }
}

export type TokenVerdict = 'ok' | 'refused' | 'unreachable';

/** Asks the API whether `token` is accepted (a trivial query with it as bearer). */
export async function verifyToken(endpoint: string, token: string): Promise<TokenVerdict> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ __typename }' }),
      cache: 'no-store',
    });
    if (response.status === 401) return 'refused';
    return response.ok ? 'ok' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}
