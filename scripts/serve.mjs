// `npm run serve -- [flags]`: builds if needed, then runs the engine headless in this process.
import { buildIfNeeded } from './build-if-needed.mjs';

buildIfNeeded();
await import('../out/main/serve.js');
