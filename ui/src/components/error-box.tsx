import { describeError } from '../api-error.js';

/** A failed call, in words; on 401/403 an offer to enter another key. */
export function ErrorBox(props: { error: unknown; onChangeKey: () => void }) {
  const view = describeError(props.error);
  return (
    <div class="error" role="alert" data-testid="error">
      <strong>{view.title}</strong>
      <p>{view.detail}</p>
      {view.askForKey && (
        <button type="button" onClick={props.onChangeKey}>
          Enter another API key
        </button>
      )}
    </div>
  );
}
