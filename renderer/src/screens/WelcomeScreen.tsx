/** The Home screen: what the studio does, the engine and the active model. */
import { ActiveModelCard } from '../components/ActiveModelCard.js';
import { useStudioStore } from '../state/store.js';

/** The first screen: what the studio does, and what this engine runs on. */
export function WelcomeScreen() {
  const engine = useStudioStore((state) => state.engine);
  return (
    <main className="welcome">
      <h1>Welcome to Emu3 Studio</h1>
      <p className="welcome__lede">
        One next-token model for images, videos and questions about them, running on your own machine.
      </p>
      <section className="card" aria-labelledby="engine-heading">
        <h2 id="engine-heading">Engine</h2>
        {engine.status === 'connected' ? (
          <dl className="facts">
            <dt>Version</dt>
            <dd>{engine.info.version}</dd>
            <dt>Runtime</dt>
            <dd>
              Node {engine.info.runtime.node} on {engine.info.runtime.platform} {engine.info.runtime.arch}
            </dd>
            <dt>Host</dt>
            <dd>{engine.info.host === 'web' ? 'Web host on 127.0.0.1' : engine.info.host}</dd>
          </dl>
        ) : (
          <p className="muted">{engine.status === 'connecting' ? 'Connecting…' : engine.error.message}</p>
        )}
      </section>
      <ActiveModelCard />
    </main>
  );
}
