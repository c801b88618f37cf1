/** The keyboard shortcut sheet. */
import { useEffect, useRef } from 'react';
import { SHORTCUTS } from '../shortcuts/shortcuts.js';
import { useStudioStore } from '../state/store.js';

/** The keyboard shortcuts, as a modal sheet (? or the top bar's button; Esc closes). */
export function HelpSheet() {
  const setHelpOpen = useStudioStore((state) => state.setHelpOpen);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => previous?.focus();
  }, []);
  return (
    <div className="sheet-backdrop" onClick={() => setHelpOpen(false)}>
      <div
        className="sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby="help-title"
        onClick={(event) => event.stopPropagation()}
      >
        <div className="sheet__header">
          <h2 id="help-title">Keyboard shortcuts</h2>
          <button ref={close} type="button" className="button" onClick={() => setHelpOpen(false)}>
            Close
          </button>
        </div>
        <table className="shortcut-table">
          <thead>
            <tr>
              <th scope="col">Keys</th>
              <th scope="col">Does</th>
              <th scope="col">Where</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.map((shortcut) => (
              <tr key={shortcut.id}>
                <td>
                  {shortcut.keys.map((key, i) => (
                    <span key={key}>
                      {i > 0 && ' or '}
                      <kbd>{key}</kbd>
                    </span>
                  ))}
                </td>
                <td>{shortcut.label}</td>
                <td className="muted">{shortcut.where}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
