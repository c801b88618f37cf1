/** The studio's window: the top bar, the screen chosen in it, and what floats above (toasts, dialogs, help). */
import { useMemo, type ComponentType } from 'react';
import { HelpSheet } from './components/HelpSheet.js';
import { Toasts } from './components/Toasts.js';
import { TopBar } from './components/TopBar.js';
import type { EngineClient } from './host/engine-client.js';
import { StudioContext } from './host/studio.js';
import { useEngineConnection } from './host/use-engine-connection.js';
import { useSettingsDrop } from './host/use-settings-drop.js';
import { useShortcuts } from './host/use-shortcuts.js';
import { AskScreen } from './screens/ask/AskScreen.js';
import { ExtendHost } from './screens/extend/ExtendHost.js';
import { GalleryScreen } from './screens/gallery/GalleryScreen.js';
import { GenerateScreen } from './screens/generate/GenerateScreen.js';
import { ModelsScreen } from './screens/models/ModelsScreen.js';
import { SettingsScreen } from './screens/settings/SettingsScreen.js';
import { WelcomeScreen } from './screens/WelcomeScreen.js';
import { studioStore, useStudioStore } from './state/store.js';
import type { Screen } from './state/ui/slice.js';

/** Each screen id's component: a new screen in SCREENS fails the build until it is added here. */
const SCREEN_COMPONENTS: Record<Screen, ComponentType> = {
  home: WelcomeScreen,
  generate: GenerateScreen,
  gallery: GalleryScreen,
  ask: AskScreen,
  models: ModelsScreen,
  settings: SettingsScreen,
};

export function App({ client }: { client: EngineClient }) {
  const studio = useMemo(() => ({ client, store: studioStore }), [client]);
  const { retry } = useEngineConnection(studio);
  useShortcuts(studio);
  useSettingsDrop(studio);
  const CurrentScreen = SCREEN_COMPONENTS[useStudioStore((state) => state.screen)];
  const helpOpen = useStudioStore((state) => state.helpOpen);
  return (
    <StudioContext.Provider value={studio}>
      <div className="app">
        <TopBar onRetryEngine={retry} />
        <CurrentScreen />
        <Toasts />
        <ExtendHost />
        {helpOpen && <HelpSheet />}
      </div>
    </StudioContext.Provider>
  );
}
