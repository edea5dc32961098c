// A confirmation for destructive actions: a modal <dialog> (focus kept inside, Escape cancels) that
// asks for the resource's name to be typed before it enables the action.

import { useEffect, useRef, useState } from "preact/hooks";

export interface ConfirmProps {
  open: boolean;
  title: string;
  /** What must be typed to confirm. */
  name: string;
  action: string;
  onConfirm(): void;
  onCancel(): void;
}

export function Confirm({ open, title, name, action, onConfirm, onCancel }: ConfirmProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState("");
  useEffect(() => {
    const d = dialog.current!;
    if (open && !d.open) {
      setTyped("");
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={dialog} aria-labelledby="confirm-title" onClose={onCancel}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed === name) onConfirm();
        }}
      >
        <h2 id="confirm-title">{title}</h2>
        <label>
          Type <code>{name}</code> to confirm
          <input value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autocomplete="off" />
        </label>
        <div class="row">
          <button type="submit" class="danger" disabled={typed !== name}>
            {action}
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
