/**
 * Compiles each transaction parameter's JSON schema once instead of on every call.
 *
 * fabric-shim 2.5's `DataMarshall.handleParameters` builds, for every parameter of every call, a schema
 * that embeds all of the contract's component schemas (25 objects here) and passes it to
 * `ajv.compile`, whose cache key is a stable stringification of that whole schema: about 0.45 ms of
 * CPU per parameter per call, the largest single cost of this process under load (measured with
 * `--cpu-prof`; a four-parameter `RequestAccess` spent ~1.8 ms in it per endorsement).
 *
 * The metadata objects that schema is made of (each parameter's schema and the component schemas)
 * are built once when the chaincode starts and never change, so while `handleParameters` runs its
 * `ajv` is replaced by a facade that looks the compiled validator up by the identity of those two
 * objects and compiles on a miss with the real Ajv. Everything else — the parameter count check,
 * deserialisation, validation and its error messages — is fabric-shim's own code, unchanged; ajv's
 * own cache would return the very same validator for the same content.
 */

/** The Ajv surface `handleParameters` uses. */
interface Ajv {
  compile(schema: object): unknown;
}

/** The schema `handleParameters` compiles: `{properties: {prop}, components: {schemas}}`. */
interface ParameterSchema {
  readonly properties?: { readonly prop?: unknown };
  readonly components?: { readonly schemas?: unknown };
}

interface Marshall {
  ajv: Ajv;
}

type HandleParameters = (this: Marshall, fn: unknown, parameters: unknown, loggerPrefix: unknown) => unknown;

/** An Ajv that remembers validators by the identity of the parameter and component schema objects. */
export class ParameterValidatorCache implements Ajv {
  readonly #byParameter = new WeakMap<object, WeakMap<object, unknown>>();

  constructor(readonly ajv: Ajv) {}

  compile(schema: ParameterSchema): unknown {
    const prop = schema.properties?.prop;
    const components = schema.components?.schemas;
    if (typeof prop !== 'object' || prop === null || typeof components !== 'object' || components === null)
      return this.ajv.compile(schema);
    let byComponents = this.#byParameter.get(prop);
    if (!byComponents) {
      byComponents = new WeakMap();
      this.#byParameter.set(prop, byComponents);
    }
    let validator = byComponents.get(components);
    if (validator === undefined) {
      validator = this.ajv.compile(schema);
      byComponents.set(components, validator);
    }
    return validator;
  }
}

const facades = new WeakMap<Ajv, ParameterValidatorCache>();
const installed = new WeakSet();

/**
 * Wraps `prototype.handleParameters` (of fabric-shim's DataMarshall class) so that it runs with the
 * caching facade as its `ajv`; idempotent. Returns false, changing nothing, when the prototype has no
 * such method (another fabric-shim line).
 */
export function cacheParameterValidators(prototype: object): boolean {
  const target = prototype as { handleParameters?: HandleParameters };
  const original = target.handleParameters;
  if (typeof original !== 'function') return false;
  if (installed.has(prototype)) return true;
  target.handleParameters = function (this: Marshall, fn, parameters, loggerPrefix) {
    const ajv = this.ajv;
    let facade = facades.get(ajv);
    if (!facade) {
      facade = new ParameterValidatorCache(ajv);
      facades.set(ajv, facade);
    }
    this.ajv = facade;
    try {
      return original.call(this, fn, parameters, loggerPrefix);
    } finally {
      this.ajv = ajv;
    }
  };
  installed.add(prototype);
  return true;
}

/** Installs {@link cacheParameterValidators} on the fabric-shim this chaincode runs with. */
export function cacheShimParameterValidators(): boolean {
  // The class is internal to fabric-shim (pinned to 2.5.8 in package.json); without it nothing changes.
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const DataMarshall = require('fabric-shim/lib/contract-spi/datamarshall.js') as { prototype: object };
    return cacheParameterValidators(DataMarshall.prototype);
  } catch {
    return false;
  }
}
