/** The Generate form's "Settings from a PNG…" button. */
import { restoreSettingsFromFile } from '../../commands/restore.js';
import { FilePicker } from '../../components/FilePicker.js';
import { useStudio } from '../../host/studio.js';

/** "Settings from a PNG…": a PNG the studio saved fills the form again, as dropping one on the window does. */
export function RestoreSettingsButton() {
  const studio = useStudio();
  return (
    <FilePicker
      accept="image/png,.png"
      label="PNG to restore settings from"
      className="button button--small button--quiet generate-form__restore"
      title="Open a PNG saved by Emu3 Studio (or drop one on the window): its prompt and settings fill this form"
      onFile={(file) => void restoreSettingsFromFile(studio, file)}
    >
      Settings from a PNG…
    </FilePicker>
  );
}
