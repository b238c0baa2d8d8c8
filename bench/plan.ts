/**
 * The tracking plan the benchmark loads (`track_rps_with_plan`): 20 event types with the rules
 * people write (types, required, enums, patterns, ranges, lengths), shaped so that about a
 * third of the events bench/payload.ts's visitors send break it: the actions lack a property
 * the plan requires (`element`; add-to-cart's `variant`), and the titles of the blog post and
 * the product list are longer than the plan allows. 14 of the types never arrive, as in a real plan.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, ...(required.length > 0 ? { required } : {}) });
const action = obj({ element: { type: 'string', minLength: 1 }, target: { type: 'string', pattern: '^[a-z]+[#.][\\w-]+$' }, x: { type: 'integer', minimum: 0 }, y: { type: 'integer', minimum: 0 } }, ['element', 'target']);

export const BENCH_PLAN = {
  unplanned: 'flag',
  events: {
    'page-view': { description: 'A page was shown', properties: obj({ title: { type: 'string', minLength: 1, maxLength: 26 } }, ['title']) },
    'add-to-cart': {
      properties: obj(
        { product: { type: 'string', pattern: '^[a-z-]+$' }, variant: { type: 'string' }, quantity: { type: 'integer', minimum: 1, maximum: 99 }, price: { type: 'number', exclusiveMinimum: 0 } },
        ['product', 'variant', 'quantity', 'price'],
      ),
    },
    click: { properties: action },
    scroll: { properties: action },
    search: { properties: action },
    'page-engagement': { properties: action },
    purchase: {
      properties: obj(
        { revenue: { type: 'number', minimum: 0 }, currency: { type: 'string', pattern: '^[A-Z]{3}$' }, items: { type: 'integer', minimum: 1 }, coupon: { type: 'string', maxLength: 20 } },
        ['revenue', 'currency'],
      ),
    },
    'checkout-started': { properties: obj({ cartValue: { type: 'number', minimum: 0 }, items: { type: 'integer', minimum: 1 } }, ['cartValue']) },
    'checkout-step': { properties: obj({ step: { type: 'integer', minimum: 1, maximum: 5 }, option: { enum: ['card', 'paypal', 'transfer'] } }, ['step']) },
    'remove-from-cart': { properties: obj({ product: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } }, ['product']) },
    'sign-up': { properties: obj({ method: { enum: ['email', 'google', 'github'] }, plan: { enum: ['free', 'pro', 'team'] } }, ['method']) },
    login: { properties: obj({ method: { enum: ['email', 'google', 'github'] } }) },
    logout: { properties: obj({}) },
    'newsletter-subscribed': { properties: obj({ email: { type: 'string', format: 'email' }, list: { type: 'string' } }, ['email']) },
    'video-played': { properties: obj({ video: { type: 'string' }, position: { type: 'number', minimum: 0 }, duration: { type: 'number', exclusiveMinimum: 0 } }, ['video']) },
    'form-submitted': { properties: obj({ form: { type: 'string', minLength: 1 }, fields: { type: 'integer', minimum: 0 } }, ['form']) },
    'file-downloaded': { properties: obj({ file: { type: 'string' }, size: { type: 'integer', minimum: 0 } }, ['file']) },
    'coupon-applied': { properties: obj({ coupon: { type: 'string', pattern: '^[A-Z0-9]{4,12}$' }, discount: { type: 'number', minimum: 0, maximum: 100 } }, ['coupon']) },
    'product-viewed': { properties: obj({ product: { type: 'string' }, price: { type: 'number', minimum: 0 }, category: { type: 'string' } }, ['product']) },
    'error-shown': { properties: obj({ message: { type: 'string', maxLength: 500 }, code: { type: ['string', 'integer'] } }, ['message']) },
  },
} as const;

/** Writes the plan to `dir/bench-plan.json` for `--plan`, and answers the path. */
export function writeBenchPlan(dir: string): string {
  const file = join(dir, 'bench-plan.json');
  writeFileSync(file, JSON.stringify(BENCH_PLAN, null, 2));
  return file;
}
