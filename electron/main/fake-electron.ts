// A stand-in for the parts of Electron's main-process API that index.ts uses, recording what
// the shell does with them, so the wiring is tested where no Electron binary is installed.
// It is a test double: it models only the behaviour index.ts relies on (quit events, window
// and web-contents events, menus, IPC), not Electron at large.
import { EventEmitter } from 'node:events';

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function fakeEvent(): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

export interface MenuTemplateItem {
  label?: string;
  type?: string;
  checked?: boolean;
  enabled?: boolean;
  role?: string;
  click?: () => void;
  submenu?: MenuTemplateItem[];
}

type Handler = (...args: never[]) => unknown;
type Listener = (...args: never[]) => void;

/** The slice of EventEmitter the shell uses (wrapping it keeps this module's types nameable). */
export class Emitter {
  readonly ee = new EventEmitter();
  on(name: string, fn: Listener): this {
    this.ee.on(name, fn as (...a: unknown[]) => void);
    return this;
  }
  once(name: string, fn: Listener): this {
    this.ee.once(name, fn as (...a: unknown[]) => void);
    return this;
  }
  emit(name: string, ...args: unknown[]): boolean {
    return this.ee.emit(name, ...args);
  }
}

export class FakeWebContents extends Emitter {
  url = '';
  loads: string[] = [];
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  readonly mainFrame = { parent: null };
  constructor(readonly session: FakeSession) {
    super();
  }
  async loadURL(url: string): Promise<void> {
    this.url = url;
    this.loads.push(url);
  }
  getURL(): string {
    return this.url;
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
    this.openHandler = h;
  }
}

export class FakeSession {
  cookies = {
    list: [] as Array<Record<string, unknown>>,
    set: async (c: Record<string, unknown>) => {
      this.cookies.list.push(c);
    },
  };
  beforeRequest: ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | null = null;
  headersReceived: ((d: { url: string; responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void) | null =
    null;
  permissionRequest: ((wc: { getURL(): string }, permission: string, cb: (ok: boolean) => void) => void) | null = null;
  webRequest = {
    onBeforeRequest: (h: NonNullable<FakeSession['beforeRequest']>) => {
      this.beforeRequest = h;
    },
    onHeadersReceived: (h: NonNullable<FakeSession['headersReceived']>) => {
      this.headersReceived = h;
    },
  };
  setPermissionRequestHandler(h: NonNullable<FakeSession['permissionRequest']>): void {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(): void {}
}

export function createFakeElectron(appPath: string) {
  const defaultSession = new FakeSession();
  const windows: FakeBrowserWindow[] = [];
  const trays: FakeTray[] = [];
  const ipcHandlers = new Map<string, Handler>();
  const ipcListeners = new Map<string, Handler>();
  const clipboardText: string[] = [];
  const opened: string[] = [];
  const errorBoxes: string[] = [];
  let exitResolve: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => (exitResolve = r));
  let readyResolve: () => void = () => {};
  const readyPromise = new Promise<void>((r) => (readyResolve = r));

  class FakeApp extends Emitter {
    paths = new Map<string, string>([['userData', '/nonexistent/Footfall']]);
    ready = false;
    lock = true;
    isPackaged = false;
    exitCode: number | null = null;
    getPath(name: string): string {
      return this.paths.get(name) ?? `/nonexistent/${name}`;
    }
    setPath(name: string, value: string): void {
      this.paths.set(name, value);
    }
    getAppPath(): string {
      return appPath;
    }
    getVersion(): string {
      return '0.0.0-test';
    }
    requestSingleInstanceLock(): boolean {
      return this.lock;
    }
    whenReady(): Promise<void> {
      return readyPromise;
    }
    isReady(): boolean {
      return this.ready;
    }
    makeReady(): void {
      this.ready = true;
      readyResolve();
    }
    setAboutPanelOptions(): void {}
    showAboutPanel(): void {}
    /** Electron's order: before-quit, windows close, will-quit (preventable), exit. */
    quit(): void {
      const before = fakeEvent();
      this.emit('before-quit', before);
      if (before.defaultPrevented) return;
      for (const w of [...windows]) w.close();
      const will = fakeEvent();
      this.emit('will-quit', will);
      if (!will.defaultPrevented) this.exit(0);
    }
    exit(code = 0): void {
      if (this.exitCode !== null) return;
      this.exitCode = code;
      exitResolve(code);
    }
  }
  const app = new FakeApp();

  class FakeBrowserWindow extends Emitter {
    readonly webContents = new FakeWebContents(defaultSession);
    visible = false;
    minimized = false;
    destroyed = false;
    constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
      super();
      windows.push(this);
    }
    loadURL(url: string): Promise<void> {
      return this.webContents.loadURL(url);
    }
    show(): void {
      this.visible = true;
    }
    hide(): void {
      this.visible = false;
    }
    isVisible(): boolean {
      return this.visible;
    }
    isMinimized(): boolean {
      return this.minimized;
    }
    restore(): void {
      this.minimized = false;
    }
    focus(): void {}
    close(): void {
      const e = fakeEvent();
      this.emit('close', e);
      if (e.defaultPrevented) return;
      this.destroyed = true;
      windows.splice(windows.indexOf(this), 1);
      this.emit('closed');
    }
  }

  class FakeTray extends Emitter {
    tooltip = '';
    menu: MenuTemplateItem[] = [];
    destroyed = false;
    constructor() {
      super();
      trays.push(this);
    }
    setToolTip(t: string): void {
      this.tooltip = t;
    }
    setContextMenu(m: MenuTemplateItem[]): void {
      this.menu = m;
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    destroy(): void {
      this.destroyed = true;
    }
  }

  let applicationMenu: MenuTemplateItem[] = [];
  const module = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Menu: {
      buildFromTemplate: (t: MenuTemplateItem[]) => t,
      setApplicationMenu: (m: MenuTemplateItem[]) => {
        applicationMenu = m;
      },
    },
    nativeImage: { createFromPath: () => ({ setTemplateImage() {} }) },
    session: { defaultSession },
    ipcMain: {
      handle: (ch: string, h: Handler) => ipcHandlers.set(ch, h),
      on: (ch: string, h: Handler) => ipcListeners.set(ch, h),
    },
    clipboard: { writeText: (t: string) => clipboardText.push(t) },
    shell: {
      openExternal: async (u: string) => {
        opened.push(u);
      },
      openPath: async (p: string) => {
        opened.push(p);
        return '';
      },
    },
    dialog: { showErrorBox: (_t: string, m: string) => errorBoxes.push(m) },
  };
  return {
    module,
    app,
    windows,
    trays,
    defaultSession,
    ipcHandlers,
    ipcListeners,
    clipboardText,
    opened,
    errorBoxes,
    exited,
    applicationMenu: () => applicationMenu,
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
