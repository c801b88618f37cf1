import { EngineStatus } from './EngineStatus.js';

export function TopBar({ onRetryEngine }: { onRetryEngine: () => void }) {
  return (
    <header className="top-bar">
      <div className="top-bar__brand">
        <span className="top-bar__logo" aria-hidden="true" />
        <span>Emu3 Studio</span>
      </div>
      <EngineStatus onRetry={onRetryEngine} />
    </header>
  );
}
