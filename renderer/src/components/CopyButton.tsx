/** A small button that copies a hash or a path and says it did. */
import { useStudioStore } from '../state/store.js';

/** Copies `text` (a hash, a path) to the clipboard and says so; `label` names what is copied. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const pushToast = useStudioStore((state) => state.pushToast);
  return (
    <button
      type="button"
      className="button button--small"
      aria-label={`Copy ${label}`}
      title={`Copy ${label}`}
      onClick={() =>
        void copyText(text).then((copied) =>
          pushToast(
            copied
              ? { tone: 'info', message: `Copied the ${label}.`, timeoutMs: 2500 }
              : { tone: 'error', message: `Could not copy the ${label}: select it and copy it instead.` },
          ),
        )
      }
    >
      Copy
    </button>
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (an embedded or headless browser): the old way, through a selection.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  }
}
