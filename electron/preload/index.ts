// The preload bridge: the smallest surface the pages of Footfall's window need. It runs
// sandboxed (CommonJS, only `electron`'s renderer modules), so it holds no logic: each call
// goes to the main process, which checks who sent it and what it carries.
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_CHANNELS, type FootfallBridge, type UsePortResult } from '../../shared/bridge';

const bridge: FootfallBridge = {
  desktop: true,
  usePort: (port: number): Promise<UsePortResult> => ipcRenderer.invoke(BRIDGE_CHANNELS.usePort, port) as Promise<UsePortResult>,
  quit: (): void => ipcRenderer.send(BRIDGE_CHANNELS.quit),
};

contextBridge.exposeInMainWorld('footfall', bridge);
