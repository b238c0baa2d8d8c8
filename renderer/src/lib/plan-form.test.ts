import { describe, expect, it } from 'vitest';
import { emptyRow, eventOf, formOf, ruleSummary } from './plan-form';
import { readPlan } from '../../../engine/plan/doc';

/** The Tracking plan view's form: rows to a JSON Schema the engine takes, and back. */

describe('the plan form', () => {
  it('writes each kind of rule as JSON Schema, and reads it back as the same rows', () => {
    const form = {
      description: 'An order paid for',
      closed: true,
      props: [
        { ...emptyRow(), name: 'revenue', type: 'number' as const, required: true, min: '0' },
        { ...emptyRow(), name: 'currency', type: 'string' as const, required: true, pattern: '^[A-Z]{3}$', max: '3' },
        { ...emptyRow(), name: 'method', allowed: 'card, paypal', description: 'how it was paid' },
        { ...emptyRow(), name: 'items', type: 'integer' as const, min: '1', max: '99' },
        { ...emptyRow(), name: 'meta', type: 'any' as const },
        { ...emptyRow(), name: '  ' },
      ],
    };
    const event = eventOf(form);
    expect(event).toEqual({
      description: 'An order paid for',
      properties: {
        type: 'object',
        properties: {
          revenue: { type: 'number', minimum: 0 },
          currency: { type: 'string', pattern: '^[A-Z]{3}$', maxLength: 3 },
          method: { type: 'string', enum: ['card', 'paypal'], description: 'how it was paid' },
          items: { type: 'integer', minimum: 1, maximum: 99 },
          meta: {},
        },
        required: ['revenue', 'currency'],
        additionalProperties: false,
      },
    });
    // The engine takes it as it is.
    expect(readPlan({ events: { purchase: event } }).compiled!.check('purchase', { revenue: 1, currency: 'EUR' }).status).toBe(0);
    expect(formOf(event)).toEqual({ ...form, props: form.props.slice(0, 5) });
  });

  it('has no form for a schema with rules it does not edit (the JSON editor shows those)', () => {
    expect(formOf({ properties: { type: 'object', properties: { at: { type: 'string', format: 'date-time' } } } })).toBeNull();
    expect(formOf({ properties: { type: 'object', properties: { a: { type: 'object', properties: { b: {} } } } } })).toBeNull();
    expect(formOf({ properties: { anyOf: [] } })).toBeNull();
    expect(formOf({ properties: { type: 'object', required: [5] } })).toBeNull();
    expect(formOf({ properties: { type: 'object', properties: { n: { type: 'number', maxLength: 2 } } } })).toBeNull();
    expect(formOf({ properties: true })).toEqual({ description: '', props: [], closed: false });
    expect(formOf({ properties: { type: 'object' } })).toEqual({ description: '', props: [], closed: false });
    // Required with no rules of its own: a row of any type.
    expect(formOf({ properties: { type: 'object', required: ['email'] } })!.props).toEqual([{ ...emptyRow(), name: 'email', type: 'any', required: true }]);
  });

  it('sums up a property’s rules for the draft’s review', () => {
    expect(ruleSummary({ type: ['number', 'string'] })).toBe('number | string');
    expect(ruleSummary({ type: 'string', enum: ['EUR', 'USD'] })).toBe('string, one of EUR, USD');
    expect(ruleSummary(true)).toBe('any');
  });
});
