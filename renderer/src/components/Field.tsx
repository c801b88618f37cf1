/** A form field: label, control, hint and error, tied together for screen readers. */
import { useId, type ReactNode } from 'react';

/**
 * A labelled control with its hint and error: the label names the control for screen readers, and the
 * error is tied to it with aria-describedby and aria-invalid.
 */
export function Field(props: {
  label: string;
  error?: string | undefined;
  hint?: string;
  className?: string;
  children: (control: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const note = `${id}-note`;
  const text = props.error ?? props.hint;
  return (
    <div className={`field ${props.className ?? ''}`} data-invalid={props.error ? 'true' : undefined}>
      <label className="field__label" htmlFor={id}>
        {props.label}
      </label>
      {props.children({
        id,
        'aria-invalid': props.error !== undefined,
        ...(text ? { 'aria-describedby': note } : {}),
      })}
      {text && (
        <span id={note} className={props.error ? 'field__error' : 'field__hint'}>
          {text}
        </span>
      )}
    </div>
  );
}
