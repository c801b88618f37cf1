import { useMemo } from 'react';
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

export function App({ client }: { client: EngineClient }) {
  const studio = useMemo(() => ({ client, store: studioStore }), [client]);
  const { retry } = useEngineConnection(studio);
  useShortcuts(studio);
  useSettingsDrop(studio);
  const screen = useStudioStore((state) => state.screen);
  const helpOpen = useStudioStore((state) => state.helpOpen);
  return (
    <StudioContext.Provider value={studio}>
      <div className="app">
        <TopBar onRetryEngine={retry} />
        {screen === 'generate' ? (
          <GenerateScreen />
        ) : screen === 'gallery' ? (
          <GalleryScreen />
        ) : screen === 'ask' ? (
          <AskScreen />
        ) : screen === 'models' ? (
          <ModelsScreen />
        ) : screen === 'settings' ? (
          <SettingsScreen />
        ) : (
          <WelcomeScreen />
        )}
        <Toasts />
        <ExtendHost />
        {helpOpen && <HelpSheet />}
      </div>
    </StudioContext.Provider>
  );
}
