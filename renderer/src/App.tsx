import { TopBar } from './components/TopBar.js';
import type { EngineClient } from './host/engine-client.js';
import { useEngineConnection } from './host/use-engine-connection.js';
import { WelcomeScreen } from './screens/WelcomeScreen.js';

export function App({ client }: { client: EngineClient }) {
  const { retry } = useEngineConnection(client);
  return (
    <div className="app">
      <TopBar onRetryEngine={retry} />
      <WelcomeScreen />
    </div>
  );
}
