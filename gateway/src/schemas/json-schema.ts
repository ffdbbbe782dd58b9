/**
 * A small, strict JSON Schema (draft 2020-12) validator for the report schemas this gateway ships.
 *
 * It implements the keywords those schemas use and refuses, when a schema is compiled, any keyword
 * it does not implement, so a schema can never look stricter than it is checked:
 *
 * `type`, `properties`, `required`, `additionalProperties` (false or a schema), `items`,
 * `minItems`, `maxItems`, `enum`, `const`, `minLength`, `maxLength`, `pattern`, `minimum`,
 * `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `format` (`date`), `$ref` to `#/$defs/<name>`,
 * and the annotations `$schema`, `$id`, `$defs`, `$comment`, `title`, `description`, `examples`.
 *
 * Violations name the location and the rule broken, never the offending value: report contents
 * must not end up in error messages or logs.
 *
 * @packageDocumentation
 */

/** One violation: where (`$.revenue.amount`) and which rule. */
export interface SchemaViolation {
  readonly path: string;
  readonly message: string;
}

/** A compiled schema: returns every violation, an empty list for a valid value. */
export type SchemaValidator = (value: unknown) => readonly SchemaViolation[];

/** A schema uses a keyword or form this validator does not implement. */
export class SchemaDefinitionError extends Error {
  readonly code = 'SCHEMA_DEFINITION_INVALID';

  constructor(message: string) {
    super(message);
    this.name = SchemaDefinitionError.name;
  }
}

type Schema = Readonly<Record<string, unknown>>;
type JsonType = 'null' | 'boolean' | 'object' | 'array' | 'number' | 'integer' | 'string';

const ANNOTATIONS = new Set(['$schema', '$id', '$defs', '$comment', 'title', 'description', 'examples']);
const KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'format',
  '$ref',
]);
const TYPES: ReadonlySet<string> = new Set([
  'null',
  'boolean',
  'object',
  'array',
  'number',
  'integer',
  'string',
]);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NAME = /^[A-Za-z_$][\w$]*$/;
const MAX_NAME = 64;

function typeOf(value: unknown): JsonType | undefined {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'number':
      return Number.isFinite(value) ? (Number.isInteger(value) ? 'integer' : 'number') : undefined;
    case 'object':
      return 'object';
    default:
      return undefined;
  }
}

function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function member(path: string, name: string): string {
  const shown = name.length > MAX_NAME ? `${name.slice(0, MAX_NAME)}…` : name;
  return NAME.test(shown) ? `${path}.${shown}` : `${path}[${JSON.stringify(shown)}]`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function asSchema(value: unknown, where: string): Schema {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SchemaDefinitionError(`${where} must be a schema object`);
  return value as Schema;
}

function checkDefinition(schema: Schema, where: string, defs: Schema): void {
  for (const key of Object.keys(schema)) {
    if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key))
      throw new SchemaDefinitionError(`${where}: keyword ${key} is not supported`);
  }
  const { type, properties, additionalProperties, items, format, pattern, $ref } = schema;
  const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
  for (const t of types)
    if (typeof t !== 'string' || !TYPES.has(t))
      throw new SchemaDefinitionError(`${where}: unknown type ${String(t)}`);
  if (format !== undefined && format !== 'date')
    throw new SchemaDefinitionError(`${where}: format ${JSON.stringify(format)} is not supported`);
  if (pattern !== undefined) {
    if (typeof pattern !== 'string') throw new SchemaDefinitionError(`${where}: pattern must be a string`);
    new RegExp(pattern, 'u');
  }
  if ($ref !== undefined) {
    const name = typeof $ref === 'string' ? /^#\/\$defs\/([A-Za-z0-9_]+)$/.exec($ref)?.[1] : undefined;
    if (name === undefined || !Object.hasOwn(defs, name))
      throw new SchemaDefinitionError(`${where}: $ref must point to an existing #/$defs/<name>`);
  }
  if (properties !== undefined) {
    for (const [name, sub] of Object.entries(asSchema(properties, `${where}.properties`)))
      checkDefinition(asSchema(sub, `${where}.properties.${name}`), `${where}.properties.${name}`, defs);
  }
  if (additionalProperties !== undefined && additionalProperties !== false && additionalProperties !== true)
    checkDefinition(
      asSchema(additionalProperties, `${where}.additionalProperties`),
      `${where}.additionalProperties`,
      defs,
    );
  if (items !== undefined) checkDefinition(asSchema(items, `${where}.items`), `${where}.items`, defs);
}

/**
 * Compiles `schema` into a validator.
 *
 * @throws {@link SchemaDefinitionError} when the schema uses anything not implemented here
 */
export function compileSchema(schema: unknown): SchemaValidator {
  const root = asSchema(schema, 'schema');
  const defs = root.$defs === undefined ? {} : asSchema(root.$defs, '$defs');
  for (const [name, def] of Object.entries(defs))
    checkDefinition(asSchema(def, `$defs.${name}`), `$defs.${name}`, defs);
  checkDefinition(root, 'schema', defs);
  const patterns = new Map<string, RegExp>();
  const regex = (source: string): RegExp => {
    let re = patterns.get(source);
    if (!re) {
      re = new RegExp(source, 'u');
      patterns.set(source, re);
    }
    return re;
  };

  const validate = (s: Schema, value: unknown, path: string, out: SchemaViolation[]): void => {
    if (typeof s.$ref === 'string') {
      validate(defs[s.$ref.slice('#/$defs/'.length)] as Schema, value, path, out);
      return;
    }
    const actual = typeOf(value);
    if (s.type !== undefined) {
      const allowed = (Array.isArray(s.type) ? s.type : [s.type]) as string[];
      const ok =
        actual !== undefined &&
        (allowed.includes(actual) || (actual === 'integer' && allowed.includes('number')));
      if (!ok) {
        out.push({ path, message: `must be of type ${allowed.join(' or ')}` });
        return;
      }
    }
    if (s.const !== undefined && !deepEqual(s.const, value))
      out.push({ path, message: 'must be the constant value' });
    if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, value)))
      out.push({ path, message: `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` });
    if (typeof value === 'string') {
      // JSON Schema counts code points (RFC 8259 characters), not UTF-16 units.
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points are what is meant
      const length = [...value].length;
      if (typeof s.minLength === 'number' && length < s.minLength)
        out.push({ path, message: `must have at least ${s.minLength} characters` });
      if (typeof s.maxLength === 'number' && length > s.maxLength)
        out.push({ path, message: `must have at most ${s.maxLength} characters` });
      if (typeof s.pattern === 'string' && !regex(s.pattern).test(value))
        out.push({ path, message: `must match the pattern ${s.pattern}` });
      if (s.format === 'date' && !isDate(value)) out.push({ path, message: 'must be a date (YYYY-MM-DD)' });
    }
    if (typeof value === 'number') {
      if (typeof s.minimum === 'number' && value < s.minimum)
        out.push({ path, message: `must be ≥ ${s.minimum}` });
      if (typeof s.maximum === 'number' && value > s.maximum)
        out.push({ path, message: `must be ≤ ${s.maximum}` });
      if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum)
        out.push({ path, message: `must be > ${s.exclusiveMinimum}` });
      if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum)
        out.push({ path, message: `must be < ${s.exclusiveMaximum}` });
    }
    if (Array.isArray(value)) {
      if (typeof s.minItems === 'number' && value.length < s.minItems)
        out.push({ path, message: `must have at least ${s.minItems} items` });
      if (typeof s.maxItems === 'number' && value.length > s.maxItems)
        out.push({ path, message: `must have at most ${s.maxItems} items` });
      if (s.items !== undefined)
        value.forEach((item, i) => {
          validate(s.items as Schema, item, `${path}[${i}]`, out);
        });
    }
    if (actual === 'object') {
      const obj = value as Readonly<Record<string, unknown>>;
      const props = (s.properties ?? {}) as Readonly<Record<string, Schema>>;
      if (Array.isArray(s.required))
        for (const name of s.required as string[])
          if (!Object.hasOwn(obj, name)) out.push({ path: member(path, name), message: 'is required' });
      for (const [name, v] of Object.entries(obj)) {
        if (Object.hasOwn(props, name)) validate(props[name] as Schema, v, member(path, name), out);
        else if (s.additionalProperties === false)
          out.push({ path: member(path, name), message: 'is not allowed' });
        else if (typeof s.additionalProperties === 'object')
          validate(s.additionalProperties as Schema, v, member(path, name), out);
      }
    }
  };

  return (value) => {
    const out: SchemaViolation[] = [];
    validate(root, value, '$', out);
    return out;
  };
}
