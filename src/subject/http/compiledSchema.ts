/**
 * A zod check compiled to an ajv validator, for the large upstream answers where zod's per-field bookkeeping
 * dominates (PD's `/stores`: 1 MB at 1,000 stores; zod takes ~1.2 ms and leaves ~80,000 objects of garbage, ajv
 * ~0.15 ms and none — npm run bench, scenario a).
 *
 * The zod schema stays the one definition. `compiledSchema(check, normalize)` is the zod schema
 * `check.transform(normalize)`, usable anywhere as such; `parseChecked` checks values against the JSON Schema of
 * `check` (zod's `toJSONSchema`, input side) with ajv, and hands an accepted value to `normalize` as is. A refused
 * value goes through zod, so the error is zod's, naming the field. `check` must be a pure check — no default,
 * transform or preprocess — so that both paths give `normalize` the same value (compiledSchema.test.ts holds them
 * to that).
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { z } from 'zod';

interface Compiled {
  check: z.ZodType;
  normalize: (value: unknown) => unknown;
  validate?: ValidateFunction;
}

const compiled = new WeakMap<z.ZodType, Compiled>();

// `unicodeRegExp: false`: patterns run as zod runs them (`new RegExp(source)`, no `u` flag).
const ajv = new Ajv2020({ allErrors: false, unicodeRegExp: false, strict: true });

/**
 * `check.transform(normalize)`, with a compiled check for `parseChecked`. `normalize` takes the check's input type:
 * on the compiled path it gets the value as sent, so a default added to `check` must not be relied on there.
 */
export function compiledSchema<C extends z.ZodType, O>(check: C, normalize: (value: z.input<C>) => O) {
  const schema = check.transform((value) => normalize(value as z.input<C>));
  compiled.set(schema, { check, normalize: normalize as (value: unknown) => unknown });
  return schema;
}

/** `schema.safeParse(value)`, through the compiled check when `schema` came from `compiledSchema`. */
export function parseChecked<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
  const c = compiled.get(schema);
  if (c) {
    c.validate ??= ajv.compile(z.toJSONSchema(c.check, { io: 'input', unrepresentable: 'throw' }));
    if (c.validate(value)) {
      return { success: true, data: c.normalize(value) as z.output<S> };
    }
  }
  return schema.safeParse(value);
}
