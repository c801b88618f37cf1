/** A text input for a full file-system path. */
import type { InputHTMLAttributes } from 'react';

/**
 * A text input for a full path (a checkpoint folder, the library folder): no spelling marks and no
 * autocomplete, which only get in the way of a path. Everything else (the Field's control, a placeholder,
 * the value) is passed on.
 */
export function PathInput(props: Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  return <input {...props} type="text" spellCheck={false} autoComplete="off" />;
}
