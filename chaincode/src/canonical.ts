/**
 * Serialises a JSON value with object keys sorted (by UTF-16 code unit, like JavaScript's default
 * sort) at every depth, so every endorser writes byte-identical state.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value) ?? 'null';
}

/** Writes the JSON text directly: a JavaScript object would list integer-like keys first. */
function serialise(value: unknown): string | undefined {
  if (Array.isArray(value)) return `[${value.map((v: unknown) => serialise(v) ?? 'null').join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const inner = serialise((value as Record<string, unknown>)[key]);
      if (inner !== undefined) parts.push(`${JSON.stringify(key)}:${inner}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const inner = (value as Record<string, unknown>)[key];
      if (inner !== undefined) sorted[key] = sortKeys(inner);
    }
    return sorted;
  }
  return value;
}

/** Returns a deep copy of `value` whose object keys are sorted, for returning from transactions. */
export function canonicalObject<T>(value: T): T {
  return sortKeys(value) as T;
}
