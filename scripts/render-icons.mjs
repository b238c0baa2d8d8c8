// Renders Footfall's icon set from the SVG sources in resources/ with headless Chromium
// (playwright-core; CHROMIUM_PATH or Debian's /usr/bin/chromium), and packs the Windows .ico
// and macOS .icns from the PNGs. Run after changing resources/icon.svg or tray.svg:
//   node scripts/render-icons.mjs
// Output (committed, so packaging needs no browser):
//   resources/icons/NxN.png        Linux icon set (electron-builder's linux.icon folder)
//   resources/icon.png             1024 px, the generic icon
//   resources/icon.ico             Windows: 16-256 px
//   resources/icon.icns            macOS: 16-1024 px, on Apple's icon grid (824 px tile + shadow)
//   resources/tray.png, @2x        Windows/Linux tray: the tiled icon at 16/32 px
//   resources/trayTemplate.png,@2x macOS menu bar: black glyph, recoloured by the system
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { findChromium, HOW_TO_GET_ONE } from './find-chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const res = (...p) => join(root, 'resources', ...p);
const svgUrl = (file) => `data:image/svg+xml;base64,${readFileSync(res(file)).toString('base64')}`;

const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// ICNS chunk types and the pixel size each holds (the @2x types repeat a size).
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];

/** HTML that draws `file` at `size` px: full bleed, or on Apple's grid (824/1024 with a shadow). */
function page(file, size, { macGrid = false } = {}) {
  const inner = macGrid ? Math.round((size * 824) / 1024) : size;
  const pad = (size - inner) / 2;
  const shadow = macGrid ? `filter: drop-shadow(0 ${(size * 10) / 1024}px ${(size * 14) / 1024}px rgba(0,0,0,.35));` : '';
  return `<!doctype html><html><body style="margin:0;background:transparent">
<img src="${svgUrl(file)}" width="${inner}" height="${inner}" style="display:block;margin:${pad}px;${shadow}"></body></html>`;
}

async function render(browserPage, file, size, opts) {
  await browserPage.setViewportSize({ width: size, height: size });
  await browserPage.setContent(page(file, size, opts));
  await browserPage.locator('img').evaluate((img) => img.decode());
  return browserPage.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
}

/** A .ico holding PNG images (Windows Vista and later read PNG entries at every size). */
function ico(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0);
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt8(0, 2); // no palette
    e.writeUInt8(0, 3);
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

/** A .icns of PNG chunks. */
function icns(chunks) {
  const parts = chunks.map(({ type, png }) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'ascii');
    h.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([h, png]);
  });
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'ascii');
  h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

const executablePath = await findChromium();
if (executablePath === null) {
  console.error(HOW_TO_GET_ONE);
  process.exit(1);
}
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--headless'] });
try {
  const p = await browser.newPage({ deviceScaleFactor: 1 });
  mkdirSync(res('icons'), { recursive: true });
  const full = new Map();
  for (const size of [...LINUX_SIZES, 1024]) {
    const png = await render(p, 'icon.svg', size);
    full.set(size, png);
    if (LINUX_SIZES.includes(size)) writeFileSync(res('icons', `${size}x${size}.png`), png);
  }
  writeFileSync(res('icon.png'), full.get(1024));
  writeFileSync(res('icon.ico'), ico(ICO_SIZES.map((size) => ({ size, png: full.get(size) }))));
  const mac = new Map();
  for (const size of new Set(ICNS_TYPES.map(([, s]) => s))) mac.set(size, await render(p, 'icon.svg', size, { macGrid: true }));
  writeFileSync(res('icon.icns'), icns(ICNS_TYPES.map(([type, size]) => ({ type, png: mac.get(size) }))));
  writeFileSync(res('tray.png'), full.get(16));
  writeFileSync(res('tray@2x.png'), full.get(32));
  writeFileSync(res('trayTemplate.png'), await render(p, 'tray.svg', 16));
  writeFileSync(res('trayTemplate@2x.png'), await render(p, 'tray.svg', 32));
  console.log(`Icons written to ${res()}`);
} finally {
  await browser.close();
}
