// The Electron shell (placeholder until the desktop-shell issue): starts the engine in the
// main process and shows its dashboard.
import { app, BrowserWindow } from 'electron';
import { fileURLToPath } from 'node:url';
import { Footfall } from '../../engine/app';
import { loadConfig } from '../../engine/config';

async function main(): Promise<void> {
  await app.whenReady();
  const config = { ...loadConfig([]), dataDir: app.getPath('userData') };
  const ff = await Footfall.start(config, { rendererDir: fileURLToPath(new URL('../renderer', import.meta.url)) });
  const win = new BrowserWindow({ width: 1280, height: 820, webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false } });
  await win.loadURL(ff.dashboardUrl);
  app.on('before-quit', () => void ff.stop());
}

void main();
