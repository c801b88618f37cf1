/** The Settings screen's library folder, and moving it. */
import { useState } from 'react';
import type { SettingsState } from '../../../../engine/src/api/index.js';
import { saveSettings } from '../../commands/settings.js';
import { CopyButton } from '../../components/CopyButton.js';
import { Field } from '../../components/Field.js';
import { PathInput } from '../../components/PathInput.js';
import { useStudio } from '../../host/studio.js';

/** Where the library lives, and moving it: a new folder is used from the next start of the studio. */
export function LibraryLocation({ state }: { state: SettingsState }) {
  const studio = useStudio();
  const [dir, setDir] = useState('');
  const { library } = state;
  return (
    <section className="card settings-card" aria-labelledby="library-heading">
      <h2 id="library-heading">Library</h2>
      <dl className="facts settings-facts">
        <dt>Library folder</dt>
        <dd className="settings-path">
          <code className="mono">{library.dir}</code>
          <CopyButton text={library.dir} label="library folder" />
        </dd>
      </dl>
      <p className="muted settings-note">
        The gallery, its pictures and videos, conversations and these settings live here (library.sqlite and
        media/).
      </p>
      {library.pendingDir !== null && (
        <p className="settings-pending" role="status">
          From the next start the library is <code className="mono">{library.pendingDir}</code>. Restart the
          studio to use it.
        </p>
      )}
      <form
        className="settings-form settings-form--inline"
        onSubmit={(event) => {
          event.preventDefault();
          if (!dir.trim()) return;
          void saveSettings(studio, { libraryDir: dir.trim() }).then((saved) => saved && setDir(''));
        }}
      >
        <Field
          label="Move the library to"
          hint="A full path. Takes effect after a restart; what is in the current library stays where it is."
        >
          {(control) => (
            <PathInput
              {...control}
              placeholder="/data/emu3-library"
              value={dir}
              onChange={(event) => setDir(event.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button" disabled={!dir.trim()}>
          Use after restart
        </button>
      </form>
    </section>
  );
}
