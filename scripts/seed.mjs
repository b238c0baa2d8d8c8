// `npm run seed -- [flags]`: builds if needed, then writes a realistic history (engine/seed.ts).
import { buildIfNeeded } from './build-if-needed.mjs';

buildIfNeeded();
await import('../out/main/seed.js');
