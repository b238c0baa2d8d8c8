/**
 * `npx tsx bench/plan-overhead.ts [--rounds R] [--requests N]`: what checking events against
 * a tracking plan costs the engine in this process, without HTTP (bench/plan-overhead-run.ts).
 * A short check while working; `npm run bench`'s `track_rps_with_plan` is the measure.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildHelpers } from './build';

const dir = await buildHelpers({ 'plan-overhead': 'bench/plan-overhead-run.ts' });
const r = spawnSync(process.execPath, [join(dir, 'plan-overhead.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
