/** A button that opens the system's file dialog (for Ask, Extend and restoring settings). */
import { useRef, type ReactNode } from 'react';

export interface FilePickerProps {
  /** What the button says. */
  children: ReactNode;
  /** The file input's name for screen readers, and how the e2e tests find it to set files. */
  label: string;
  /** The input's `accept`: the types the system's dialog offers. */
  accept: string;
  onFile(file: File): void;
  className?: string;
  title?: string;
  disabled?: boolean;
  /** The input's id, for a shortcut that opens the dialog from elsewhere (shortcuts/targets.ts). */
  id?: string;
}

/**
 * A button that opens the system's file dialog. The file input itself stays hidden (it cannot be styled)
 * but named, and it is emptied after each pick, so picking the same file again is still a change.
 */
export function FilePicker({
  children,
  label,
  accept,
  onFile,
  className = 'button',
  title,
  disabled,
  id,
}: FilePickerProps) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className={className}
        title={title}
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        {children}
      </button>
      <input
        ref={input}
        id={id}
        type="file"
        accept={accept}
        aria-label={label}
        hidden
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file) onFile(file);
        }}
      />
    </>
  );
}
