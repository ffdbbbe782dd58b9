import { ProfileError } from '../profile.js';

/** A field's location in a profile document: keys and array indexes from the top. */
export type FieldPath = readonly (string | number)[];

/** `orgs[1].peer.port` for `['orgs', 1, 'peer', 'port']`; `(top level)` for the document itself. */
export function formatPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text === '' ? '(top level)' : text;
}

/** The inverse of {@link formatPath}, for fields named by other validators. */
export function parsePath(text: string): FieldPath {
  const path: (string | number)[] = [];
  for (const match of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) path.push(Number(match[2]));
    else if (match[1] !== undefined) path.push(match[1]);
  }
  return path;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Fails with a {@link ProfileError} naming `path`. */
export function fieldError(path: FieldPath, reason: string): ProfileError {
  return new ProfileError(formatPath(path), reason);
}

/**
 * A YAML mapping read field by field. Fields other than the `known` ones are rejected up front, so a
 * misspelt key is reported as such rather than as the missing field it was meant to be.
 */
export class Fields {
  readonly path: FieldPath;
  readonly #value: Readonly<Record<string, unknown>>;

  /** `known` undefined: any key (a free-form mapping such as certificate attributes). */
  constructor(value: unknown, path: FieldPath, known?: readonly string[]) {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw fieldError(path, `must be a mapping, found ${describe(value)}`);
    this.#value = value as Record<string, unknown>;
    this.path = path;
    if (!known) return;
    const unknown = Object.keys(this.#value).find((k) => !known.includes(k));
    if (unknown !== undefined)
      throw fieldError([...path, unknown], `unknown field (known here: ${[...known].sort().join(', ')})`);
  }

  has(key: string): boolean {
    return this.#value[key] !== undefined && this.#value[key] !== null;
  }

  #take(key: string, required: boolean): unknown {
    const value = this.#value[key];
    if ((value === undefined || value === null) && required)
      throw fieldError([...this.path, key], 'is required');
    return value ?? undefined;
  }

  string(key: string): string;
  string(key: string, optional: 'optional'): string | undefined;
  string(key: string, optional?: 'optional'): string | undefined {
    const value = this.#take(key, optional === undefined);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '')
      throw fieldError([...this.path, key], `must be a non-empty string, found ${describe(value)}`);
    return value;
  }

  integer(key: string, min: number, max: number): number;
  integer(key: string, min: number, max: number, optional: 'optional'): number | undefined;
  integer(key: string, min: number, max: number, optional?: 'optional'): number | undefined {
    const value = this.#take(key, optional === undefined);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw fieldError(
        [...this.path, key],
        `must be an integer from ${min} to ${max}, found ${describe(value)}`,
      );
    return value;
  }

  boolean(key: string, optional?: 'optional'): boolean | undefined {
    const value = this.#take(key, optional === undefined);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean')
      throw fieldError([...this.path, key], `must be true or false, found ${describe(value)}`);
    return value;
  }

  mapping(key: string, known: readonly string[]): Fields;
  mapping(key: string, known: readonly string[] | undefined, optional: 'optional'): Fields | undefined;
  mapping(key: string, known: readonly string[] | undefined, optional?: 'optional'): Fields | undefined {
    const value = this.#take(key, optional === undefined);
    return value === undefined ? undefined : new Fields(value, [...this.path, key], known);
  }

  /** A list; each item is handed to `item` with its path. */
  list<T>(key: string, item: (value: unknown, path: FieldPath) => T, optional?: 'optional'): T[] | undefined {
    const value = this.#take(key, optional === undefined);
    if (value === undefined) return undefined;
    if (!Array.isArray(value))
      throw fieldError([...this.path, key], `must be a list, found ${describe(value)}`);
    return value.map((v: unknown, i) => item(v, [...this.path, key, i]));
  }

  /** A mapping of string values (e.g. certificate attributes). */
  stringMap(key: string): Record<string, string> | undefined {
    const fields = this.mapping(key, undefined, 'optional');
    if (!fields) return undefined;
    const result: Record<string, string> = {};
    for (const k of fields.keys()) result[k] = fields.string(k);
    return result;
  }

  keys(): string[] {
    return Object.keys(this.#value);
  }
}

/** A string item of a list. */
export function stringItem(value: unknown, path: FieldPath): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw fieldError(path, `must be a non-empty string, found ${describe(value)}`);
  return value;
}
