/**
 * The report schemas this gateway ships, one JSON Schema per category and version, and the
 * catalogue that validates payloads against them.
 *
 * @packageDocumentation
 */
import asset10 from './asset/1.0.json' with { type: 'json' };
import asset11 from './asset/1.1.json' with { type: 'json' };
import basic10 from './basic/1.0.json' with { type: 'json' };
import business10 from './business/1.0.json' with { type: 'json' };
import creditEnhancement10 from './credit_enhancement/1.0.json' with { type: 'json' };
import warning10 from './warning/1.0.json' with { type: 'json' };
import { compileSchema, type SchemaValidator, type SchemaViolation } from './json-schema.js';

/** The shipped schemas by category, then version. */
export const SHIPPED_SCHEMAS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  basic: { '1.0': basic10 },
  business: { '1.0': business10 },
  credit_enhancement: { '1.0': creditEnhancement10 },
  warning: { '1.0': warning10 },
  asset: { '1.0': asset10, '1.1': asset11 },
};

/** The outcome of {@link SchemaCatalogue.check}. */
export type SchemaCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly problem: 'UNKNOWN_CATEGORY' }
  | { readonly ok: false; readonly problem: 'UNKNOWN_SCHEMA_VERSION' }
  | {
      readonly ok: false;
      readonly problem: 'SCHEMA_VIOLATION';
      readonly violations: readonly SchemaViolation[];
    };

/**
 * The categories and schema versions this gateway accepts, with their compiled validators.
 *
 * @example
 * ```ts
 * const catalogue = SchemaCatalogue.shipped();
 * const result = catalogue.check('basic', '1.0', payload);
 * if (!result.ok) refuse(result.problem);
 * ```
 */
export class SchemaCatalogue {
  readonly #validators: ReadonlyMap<string, ReadonlyMap<string, SchemaValidator>>;
  readonly #schemas: Readonly<Record<string, Readonly<Record<string, unknown>>>>;

  private constructor(schemas: Readonly<Record<string, Readonly<Record<string, unknown>>>>) {
    this.#schemas = schemas;
    this.#validators = new Map(
      Object.entries(schemas).map(([category, versions]) => [
        category,
        new Map(Object.entries(versions).map(([version, schema]) => [version, compileSchema(schema)])),
      ]),
    );
  }

  /**
   * The shipped schemas, optionally limited to the configured `categories` (category → versions).
   *
   * @throws Error when a configured category or version has no shipped schema
   */
  static shipped(categories?: Readonly<Record<string, readonly string[]>>): SchemaCatalogue {
    if (!categories) return new SchemaCatalogue(SHIPPED_SCHEMAS);
    const picked: Record<string, Record<string, unknown>> = {};
    for (const [category, versions] of Object.entries(categories)) {
      for (const version of versions) {
        const schema = SHIPPED_SCHEMAS[category]?.[version];
        if (schema === undefined)
          throw new Error(`no schema ships for category ${category} version ${version}`);
        (picked[category] ??= {})[version] = schema;
      }
    }
    return new SchemaCatalogue(picked);
  }

  /** Configured categories with their versions. */
  categories(): Readonly<Record<string, readonly string[]>> {
    return Object.fromEntries([...this.#validators].map(([c, v]) => [c, [...v.keys()]]));
  }

  /** The JSON Schema of a category version, or `undefined`. */
  schema(category: string, version: string): unknown {
    return this.#schemas[category]?.[version];
  }

  /** Whether `payload` is a valid report of `category` in `version`. */
  check(category: string, version: string, payload: unknown): SchemaCheck {
    const versions = this.#validators.get(category);
    if (!versions) return { ok: false, problem: 'UNKNOWN_CATEGORY' };
    const validate = versions.get(version);
    if (!validate) return { ok: false, problem: 'UNKNOWN_SCHEMA_VERSION' };
    const violations = validate(payload);
    return violations.length === 0 ? { ok: true } : { ok: false, problem: 'SCHEMA_VIOLATION', violations };
  }
}
