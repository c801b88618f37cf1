/** The Generate screen: form, live preview and queue. */
import { GenerateForm } from './GenerateForm.js';
import { LivePreview } from './LivePreview.js';
import { QueuePanel } from './QueuePanel.js';
import './generate.css';

/** Settings on the left, the image filling in at the centre, the queue on the right. */
export function GenerateScreen() {
  return (
    <main className="column-screen generate-screen" aria-label="Generate">
      <h1 className="visually-hidden">Generate</h1>
      <aside className="generate-screen__settings panel">
        <GenerateForm />
      </aside>
      <LivePreview />
      <aside className="generate-screen__queue panel">
        <QueuePanel />
      </aside>
    </main>
  );
}
