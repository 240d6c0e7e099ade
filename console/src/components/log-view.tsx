// A task log fetched through admin; refreshed while the attempt runs so the tail keeps up.
import { fetchLog } from "../lib/api.js";
import { useLoad } from "../hooks.js";

const SHOWN_CHARS = 200_000;

export function LogView({ name, uri, running }: { name: string; uri: string; running: boolean }) {
  const log = useLoad(() => fetchLog(uri), [uri], { intervalMs: 1500, active: () => running });
  const text = log.data ?? "";
  return (
    <div className="log">
      <div className="log-head">
        <span>{name || "log"}</span>
        <span className="muted mono wrap">{uri}</span>
      </div>
      {log.error !== undefined && (
        <p className="error-inline" role="alert">
          Could not read the log: {log.error instanceof Error ? log.error.message : String(log.error)}
        </p>
      )}
      {log.data !== undefined && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to scroll by keyboard
        <pre className="log-text" tabIndex={0}>
          {text.length > SHOWN_CHARS
            ? `… (${text.length - SHOWN_CHARS} earlier characters not shown)\n${text.slice(-SHOWN_CHARS)}`
            : text || "(empty)"}
        </pre>
      )}
    </div>
  );
}
