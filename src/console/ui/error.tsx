// The API's refusal as the console shows it: the code, the server's message (with its fix) and
// whether retrying may help, announced to screen readers.

import { EdgelogError } from "../../protocol/errors.js";

export function describeError(error: unknown): { code: string; message: string; retriable: boolean } {
  if (error instanceof EdgelogError) return { code: error.code, message: error.message, retriable: error.retriable };
  return { code: "CONSOLE_ERROR", message: error instanceof Error ? error.message : String(error), retriable: false };
}

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (error === undefined || error === null) return null;
  const e = describeError(error);
  return (
    <div class="error" role="alert" data-code={e.code}>
      <strong>
        {title ?? "Refused"}: <code>{e.code}</code>
      </strong>
      <p>{e.message}</p>
      {e.retriable && <p class="hint">This error is retriable: trying again may succeed.</p>}
    </div>
  );
}
