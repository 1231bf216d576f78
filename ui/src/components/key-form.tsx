import { useState } from 'preact/hooks';

/** Where the user pastes an API key (`triage keys create`); nothing is called until they do. */
export function KeyForm(props: { onKey: (key: string) => void; reason?: string }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="key-form card"
      data-testid="key-form"
      onSubmit={(e) => {
        e.preventDefault();
        const key = value.trim();
        if (key !== '') props.onKey(key);
      }}
    >
      <h1>triage dashboard</h1>
      {props.reason !== undefined && <p class="warn">{props.reason}</p>}
      <p>
        Paste an API key (<code>triage keys create --name dashboard --scopes tickets:read,admin</code>). It is kept in this tab only (sessionStorage) and sent as{' '}
        <code>Authorization: Bearer</code> to this server's API.
      </p>
      <label>
        API key{' '}
        <input type="password" name="apiKey" autoComplete="off" value={value} onInput={(e) => setValue(e.currentTarget.value)} data-testid="api-key" />
      </label>{' '}
      <button type="submit">Use this key</button>
    </form>
  );
}
