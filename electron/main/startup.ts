import { createHash } from 'node:crypto';
import { StartupError } from '../../engine/errors';

/** Why the engine did not start, as the window tells it. */
export interface StartupProblem {
  kind: 'port' | 'native-module' | 'other';
  title: string;
  message: string;
  host: string;
  port: number;
  /** A port that was free a moment ago, offered in place of the taken one. */
  suggestedPort: number | null;
}

export interface FailureContext {
  host: string;
  port: number;
  /** Whether the port could be listened on right after the failure (ports.ts isPortFree). */
  portFree: boolean;
  suggestedPort: number | null;
}

const NATIVE_MODULE = /NODE_MODULE_VERSION|compiled against a different Node\.js version|better_sqlite3\.node/;

/**
 * Sorts a failed `Footfall.start` into what the person can do about it. A taken port is told by
 * trying the port again rather than by the error's wording, which may change.
 */
export function describeStartupFailure(err: unknown, ctx: FailureContext): StartupProblem {
  const raw = err instanceof Error ? err.message : String(err);
  const base = { host: ctx.host, port: ctx.port, suggestedPort: ctx.suggestedPort };
  if (NATIVE_MODULE.test(raw)) {
    return {
      ...base,
      kind: 'native-module',
      title: "Footfall's database module is built for another runtime",
      message:
        'better-sqlite3 in this checkout is built for plain Node, not for Electron. For the desktop app in development run ' +
        '`npx electron-builder install-app-deps`; `npm rebuild better-sqlite3` builds it back for the Node tests. ' +
        `(${raw.split('\n')[0]})`,
    };
  }
  if (err instanceof StartupError && !ctx.portFree && ctx.port !== 0) {
    const inUse = /in use/i.test(raw);
    return {
      ...base,
      kind: 'port',
      title: inUse ? `Port ${ctx.port} is in use` : `Port ${ctx.port} is not available`,
      message: inUse ? `Another program is using port ${ctx.port} on ${ctx.host}, so Footfall's collector cannot listen there.` : raw,
    };
  }
  return { ...base, kind: 'other', title: 'Footfall could not start', message: raw };
}

/** The one-line reason the tray shows. */
export function shortReason(p: StartupProblem): string {
  if (p.kind === 'port') return p.title.replace(/^Port/, 'port');
  if (p.kind === 'native-module') return 'database module built for another runtime';
  return p.message.split('\n')[0]!.slice(0, 80);
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// The page's only script: it talks to the main process through the preload bridge
// (shared/bridge.ts) and nothing else. Allowed by its hash in the page's CSP.
const PAGE_SCRIPT = `
const bridge = window.footfall;
const form = document.getElementById('use-port');
const input = document.getElementById('port');
const button = form.querySelector('button');
const status = document.getElementById('status');
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!bridge) { status.textContent = 'This page works in the Footfall window only.'; return; }
  button.disabled = true;
  status.textContent = 'Starting on port ' + input.value + '…';
  try {
    const r = await bridge.usePort(Number(input.value));
    if (!r.ok) {
      status.textContent = r.message;
      if (r.suggestedPort !== null) input.value = String(r.suggestedPort);
    }
  } catch (err) {
    status.textContent = String((err && err.message) || err);
  } finally {
    button.disabled = false;
  }
});
document.getElementById('quit').addEventListener('click', () => { if (bridge) bridge.quit(); });
`;

export function scriptHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

export const STARTUP_PAGE_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src ${scriptHash(PAGE_SCRIPT)}; base-uri 'none'; form-action 'none'`;

/** The page the window shows instead of the dashboard when the engine did not start. */
export function startupPageHtml(p: StartupProblem): string {
  const offer = p.kind === 'port' ? (p.suggestedPort ?? p.port) : p.port;
  const action = p.kind === 'port' ? 'Start on this port' : 'Try again';
  const hint =
    p.kind === 'port'
      ? `${p.suggestedPort !== null ? `Port ${p.suggestedPort} is free. ` : ''}Footfall remembers the port you choose for its next start. Tracker snippets on your test sites name the port: update them to the new one.`
      : 'Fix the cause, then try again.';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${STARTUP_PAGE_CSP}">
<meta name="color-scheme" content="light dark">
<title>Footfall: ${escapeHtml(p.title)}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh; background: Canvas; color: CanvasText; }
  main { max-width: 34rem; padding: 2rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .75rem; }
  .hint { opacity: .75; font-size: .9rem; }
  form { display: flex; gap: .5rem; align-items: center; margin: 1.25rem 0 .5rem; flex-wrap: wrap; }
  input { width: 7rem; font: inherit; padding: .35rem .5rem; }
  button { font: inherit; padding: .4rem .9rem; cursor: pointer; }
  button[type=submit] { background: #0d7c66; color: #fff; border: 1px solid #0a5f4e; border-radius: 6px; }
  #quit { background: none; border: 1px solid currentColor; border-radius: 6px; opacity: .8; }
  #status { min-height: 1.5em; font-size: .9rem; }
  code { font-size: .9em; }
</style>
</head>
<body>
<main>
  <h1>${escapeHtml(p.title)}</h1>
  <p id="message">${escapeHtml(p.message)}</p>
  <form id="use-port">
    <label for="port">Port</label>
    <input id="port" name="port" type="number" min="1" max="65535" required value="${offer}">
    <button type="submit">${action}</button>
    <button id="quit" type="button">Quit Footfall</button>
  </form>
  <p id="status" role="status"></p>
  <p class="hint">${escapeHtml(hint)}</p>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/** The startup page as a URL the window can load (it needs nothing from disk or the network). */
export function startupPageUrl(p: StartupProblem): string {
  return `data:text/html;charset=utf-8;base64,${Buffer.from(startupPageHtml(p), 'utf8').toString('base64')}`;
}
