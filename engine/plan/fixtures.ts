/** Plans the tests share. */

/** A plan with each kind of rule the view's form writes (type, required, enum, pattern, min/max, length). */
export const SHOP_PLAN = {
  unplanned: 'flag',
  events: {
    purchase: {
      description: 'An order paid for',
      properties: {
        type: 'object',
        properties: {
          revenue: { type: 'number', minimum: 0 },
          currency: { type: 'string', pattern: '^[A-Z]{3}$' },
          items: { type: 'integer', minimum: 1, maximum: 99 },
          method: { enum: ['card', 'paypal'] },
          coupon: { type: 'string', maxLength: 12 },
        },
        required: ['revenue', 'currency'],
      },
    },
    'add-to-cart': { properties: { type: 'object', properties: { product: { type: 'string', minLength: 1 } }, required: ['product'] } },
    'page-view': { properties: { type: 'object' } },
  },
} as const;
