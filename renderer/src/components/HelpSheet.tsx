/** The keyboard shortcut sheet. */
import { SHORTCUTS } from '../shortcuts/shortcuts.js';
import { useStudioStore } from '../state/store.js';
import { Sheet } from './Sheet.js';

/** The keyboard shortcuts, as a modal sheet (? or the top bar's button; Esc closes). */
export function HelpSheet() {
  const setHelpOpen = useStudioStore((state) => state.setHelpOpen);
  return (
    <Sheet title="Keyboard shortcuts" titleId="help-title" onClose={() => setHelpOpen(false)}>
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
    </Sheet>
  );
}
