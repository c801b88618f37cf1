/** Electron main: thin. It starts the engine, opens the window, and quits when either goes away. */
import { app, BrowserWindow, dialog } from 'electron';
import { startEngine, type RunningEngine } from './engine-host.js';
import { createStudioWindow } from './windows.js';

let engine: RunningEngine | undefined;

async function openStudio(): Promise<void> {
  try {
    engine = await startEngine();
  } catch (error) {
    dialog.showErrorBox('Emu3 Studio could not start its engine', (error as Error).message);
    app.exit(1);
    return;
  }
  engine.process.once('exit', (code) => {
    if (code !== 0)
      dialog.showErrorBox('Emu3 Studio', `The engine stopped unexpectedly (exit code ${code}).`);
    app.quit();
  });
  createStudioWindow(engine.url, engine.origin);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => engine?.process.kill());
  void app.whenReady().then(openStudio);
}
