/** A modal sheet: the backdrop, the dialog with its title and Close button, and where focus goes. */
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';

/**
 * A modal sheet over the screen. A click on the backdrop or the Close button calls `onClose`; clicks inside
 * stay inside. While it is mounted the Close button has focus, and focus goes back to where it was when it
 * unmounts, so mount it only while it is open.
 */
export function Sheet(props: {
  title: string;
  /** The heading's id, which names the dialog for screen readers. */
  titleId: string;
  onClose(): void;
  /** Added to `sheet`, for a sheet of its own size. */
  className?: string;
  onKeyDown?(event: KeyboardEvent): void;
  children: ReactNode;
}) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => previous?.focus();
  }, []);
  return (
    <div className="sheet-backdrop" onClick={() => props.onClose()}>
      <div
        className={props.className ? `sheet ${props.className}` : 'sheet'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={props.titleId}
        onClick={(event) => event.stopPropagation()}
        onKeyDown={props.onKeyDown}
      >
        <div className="sheet__header">
          <h2 id={props.titleId}>{props.title}</h2>
          <button ref={close} type="button" className="button" onClick={() => props.onClose()}>
            Close
          </button>
        </div>
        {props.children}
      </div>
    </div>
  );
}
