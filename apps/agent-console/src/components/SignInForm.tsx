import { type FormEvent, useId, useState } from 'react';
import type { SessionSettings } from '../createSession.js';

export interface SignInFormProps {
  initial: { serverUrl: string; groupId: string; token?: string };
  /** What went wrong with the last attempt, shown above the button. */
  error?: string | undefined;
  /** A note about where the prefilled values came from. */
  note?: string | undefined;
  onSubmit(settings: SessionSettings): void;
}

/**
 * The sign-in form: paste an agent token, and check the server URL and group.
 *
 * @example
 * <SignInForm initial={{ serverUrl: 'ws://127.0.0.1:8080/', groupId: 'demo' }} onSubmit={signIn} />
 */
export function SignInForm({ initial, error, note, onSubmit }: SignInFormProps) {
  const [serverUrl, setServerUrl] = useState(initial.serverUrl);
  const [groupId, setGroupId] = useState(initial.groupId);
  const [token, setToken] = useState(initial.token ?? '');
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({ serverUrl, groupId, token });
  };
  return (
    <form className="sign-in" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Sign in as an agent</h2>
      {note ? <p className="muted">{note}</p> : null}
      <label htmlFor={`${id}-token`}>Agent token</label>
      <textarea
        id={`${id}-token`}
        data-testid="token-input"
        value={token}
        onChange={(e) => setToken(e.target.value)}
        placeholder="eyJhbGciOiJIUzI1NiIs…"
        rows={4}
        spellCheck={false}
        autoComplete="off"
        required
      />
      <p className="hint">
        A JWT signed with the group’s agent secret. The demo service prints one when it starts (
        <code>pnpm start</code>).
      </p>
      <div className="sign-in__row">
        <div>
          <label htmlFor={`${id}-server`}>Server URL</label>
          <input
            id={`${id}-server`}
            data-testid="server-input"
            value={serverUrl}
            onChange={(e) => setServerUrl(e.target.value)}
            spellCheck={false}
            required
          />
        </div>
        <div>
          <label htmlFor={`${id}-group`}>Group</label>
          <input
            id={`${id}-group`}
            data-testid="group-input"
            value={groupId}
            onChange={(e) => setGroupId(e.target.value)}
            spellCheck={false}
            required
          />
        </div>
      </div>
      {error ? (
        <p className="form-error" role="alert" data-testid="sign-in-error">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button--primary" data-testid="sign-in">
        Sign in
      </button>
    </form>
  );
}
