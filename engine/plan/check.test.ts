import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { CompiledPlan } from './check';
import { readPlan } from './doc';

/** Errors a person reads: the property (nested ones too) and the rule, with what came instead. */

const compile = (properties: Record<string, unknown>) => CompiledPlan.compile({ unplanned: 'allow', events: { e: { properties } } })!;
const errors = (properties: Record<string, unknown>, value: unknown) => compile(properties).check('e', value).errors;

describe('CompiledPlan.check', () => {
  it('names nested properties, array items and odd names by their path', () => {
    const schema = {
      type: 'object',
      properties: {
        items: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] } },
        'page title': { type: 'string' },
      },
    };
    expect(errors(schema, { items: [{ sku: 'a' }, { sku: 5 }, {}], 'page title': null })).toEqual([
      { path: 'properties.items[1].sku', message: 'must be string, got number 5' },
      { path: 'properties.items[2].sku', message: 'is required, but missing' },
      { path: 'properties["page title"]', message: 'must be string, got null' },
    ]);
  });

  it('says which property a closed object does not allow, and quotes long values cut short', () => {
    const schema = { type: 'object', properties: { a: { type: 'string', maxLength: 3 } }, additionalProperties: false };
    expect(errors(schema, { a: 'x'.repeat(80), b: 1 })).toEqual([
      { path: 'properties.b', message: 'is not a property the plan names (it allows no others)' },
      { path: 'properties.a', message: `must NOT have more than 3 characters, got '${'x'.repeat(57)}...'` },
    ]);
  });

  it('checks formats, unions, const, and rules on the whole object', () => {
    const schema = {
      type: 'object',
      properties: { at: { type: 'string', format: 'date-time' }, id: { type: ['string', 'number'] }, v: { const: 2 } },
      minProperties: 4,
    };
    expect(errors(schema, { at: 'tomorrow', id: true, v: 3 })).toEqual([
      { path: 'properties', message: 'must NOT have fewer than 4 properties' },
      { path: 'properties.at', message: `must match format "date-time", got 'tomorrow'` },
      { path: 'properties.id', message: 'must be string or number, got boolean true' },
      { path: 'properties.v', message: 'must be 2, got 3' },
    ]);
  });

  it('a type the plan does not name is unplanned; a valid event is valid', () => {
    const plan = compile({ type: 'object' });
    expect(plan.check('other', {})).toMatchObject({ status: 2, errors: [] });
    expect(plan.check('e', {})).toMatchObject({ status: 0, errors: [], errorsJson: null });
  });
});

describe('readPlan', () => {
  it('refuses what is not a plan, naming where', () => {
    const detail = (input: unknown) => {
      try {
        readPlan(input);
        return 'accepted';
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        return (err as Error).message;
      }
    };
    expect(detail([])).toContain('must be a JSON object');
    expect(detail({ events: { a: { properties: 5 } } })).toContain('events.a.properties: must be a JSON Schema');
    expect(detail({ events: { a: { schema: {} } } })).toBe('events.a.schema: is not a field of a tracking plan.');
    expect(detail({ events: {}, unplaned: 'flag' })).toBe('unplaned: is not a field of a tracking plan.');
    expect(detail({ events: { ' a': {} } })).toBe('events[" a"]: an event type has no spaces around it (the collector trims them off the events it stores).');
    expect(detail({ events: { a: { properties: { type: 'object', properties: { p: { pattern: '(' } } } } } })).toContain('events.a.properties');
    expect(detail({ events: { a: { properties: { $ref: '#/definitions/missing' } } } })).toContain('events.a.properties');
  });

  it('takes a type without a schema as any properties, and a plan with no types as no plan', () => {
    const { doc, compiled } = readPlan({ events: { 'page-view': {} }, $schema: 'x', description: 'Our plan' });
    expect(doc).toEqual({ unplanned: 'allow', events: { 'page-view': { properties: { type: 'object' } } } });
    expect(compiled!.check('page-view', { any: 1 }).status).toBe(0);
    expect(readPlan({ events: {}, unplanned: 'flag' }).compiled).toBeNull();
  });
});
