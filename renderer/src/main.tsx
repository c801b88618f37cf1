/** The page's entry: one engine client, then the App rendered into #root. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createWebEngineClient } from './host/engine-client.js';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
// Created once, before React renders, so the launch secret is read from the URL exactly once.
const client = createWebEngineClient();
createRoot(root).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
