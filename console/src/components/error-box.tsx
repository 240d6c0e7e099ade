import { showError } from "../lib/errors.js";

/** A server error: what the console was doing, what admin said, and what to do next. */
export function ErrorBox({ what, error, onRetry }: { what: string; error: unknown; onRetry?: () => void }) {
  const shown = showError(what, error);
  return (
    <div className="error-box" role="alert">
      <strong>{shown.what}</strong>
      <div className="mono">{shown.message}</div>
      <div>{shown.hint}</div>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}
