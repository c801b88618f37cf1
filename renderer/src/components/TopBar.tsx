/** The top bar: brand, screen tabs, engine status and the help button. */
import { useStudioStore } from '../state/store.js';
import { SCREENS } from '../state/ui/slice.js';
import { EngineStatus } from './EngineStatus.js';

/** The brand, the screens, the engine's status and the shortcut sheet. */
export function TopBar({ onRetryEngine }: { onRetryEngine: () => void }) {
  const screen = useStudioStore((state) => state.screen);
  const showScreen = useStudioStore((state) => state.showScreen);
  const setHelpOpen = useStudioStore((state) => state.setHelpOpen);
  return (
    <header className="top-bar">
      <div className="top-bar__brand">
        <span className="top-bar__logo" aria-hidden="true" />
        <span>Emu3 Studio</span>
      </div>
      <nav className="top-bar__nav" aria-label="Screens">
        {SCREENS.map(({ id, label }) => (
          <button
            key={id}
            type="button"
            className="nav-tab"
            aria-current={screen === id ? 'page' : undefined}
            onClick={() => showScreen(id)}
          >
            {label}
          </button>
        ))}
      </nav>
      <div className="top-bar__end">
        <EngineStatus onRetry={onRetryEngine} />
        <button
          type="button"
          className="button button--icon"
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          onClick={() => setHelpOpen(true)}
        >
          ?
        </button>
      </div>
    </header>
  );
}
