/** The Ask screen: sources, the subject, and the conversation about it. */
import type { DragEvent } from 'react';
import { uploadAndOpen } from '../../commands/ask.js';
import { useStudio } from '../../host/studio.js';
import { AskSources } from './AskSources.js';
import { AskSubjectView } from './AskSubjectView.js';
import { AskThread } from './AskThread.js';
import './ask.css';

const takesFile = (event: DragEvent) => [...event.dataTransfer.types].includes('Files');

/**
 * What to ask about on the left (a file, or a picture or video from the gallery), the subject in the middle,
 * the conversation on the right. A file dropped anywhere on the screen is uploaded and opened.
 */
export function AskScreen() {
  const studio = useStudio();
  return (
    <main
      className="column-screen ask-screen"
      aria-label="Ask"
      onDragOver={(event) => {
        if (!takesFile(event)) return;
        event.preventDefault();
        event.stopPropagation();
        event.dataTransfer.dropEffect = 'copy';
      }}
      onDrop={(event) => {
        const file = event.dataTransfer.files[0];
        if (!file) return;
        // Here a dropped video is something to ask about, not to extend.
        event.preventDefault();
        event.stopPropagation();
        void uploadAndOpen(studio, file);
      }}
    >
      <h1 className="visually-hidden">Ask</h1>
      <AskSources />
      <AskSubjectView />
      <AskThread />
    </main>
  );
}
