/** The toasts at the bottom of the window. */
import { useEffect } from 'react';
import { useStudioStore } from '../state/store.js';
import { INFO_TOAST_MS, type Toast } from '../state/ui/slice.js';

/** Short notices at the bottom of the window: info ones time out, errors stay until dismissed. */
export function Toasts() {
  const toasts = useStudioStore((state) => state.toasts);
  return (
    <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} />
      ))}
    </div>
  );
}

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useStudioStore((state) => state.dismissToast);
  const timeout = toast.timeoutMs ?? (toast.tone === 'error' ? null : INFO_TOAST_MS);
  useEffect(() => {
    if (timeout === null) return;
    const timer = setTimeout(() => dismiss(toast.id), timeout);
    return () => clearTimeout(timer);
  }, [dismiss, toast.id, timeout]);
  return (
    <div className="toast" data-tone={toast.tone}>
      <span className="toast__message">{toast.message}</span>
      {toast.action && (
        <button
          type="button"
          className="button button--small"
          onClick={() => {
            toast.action!.run();
            dismiss(toast.id);
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button
        type="button"
        className="button button--small button--quiet"
        aria-label="Dismiss"
        onClick={() => dismiss(toast.id)}
      >
        ×
      </button>
    </div>
  );
}
