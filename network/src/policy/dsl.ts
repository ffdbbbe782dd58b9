import { common, msp } from '@hyperledger/fabric-protos';
import { PolicyError } from './errors.js';

/*
 * Fabric's signature-policy DSL (`common/policydsl/policyparser.go`) and its protobuf form
 * (`common.SignaturePolicyEnvelope`, as built by `policydsl.FromString` and read by `cauthdsl`).
 *
 * Grammar accepted (what Fabric's parser accepts, minus govaluate oddities such as fractional
 * thresholds):
 *
 *   policy    := gate
 *   gate      := GATE '(' arg (',' arg)* ')'             GATE: AND | And | and | OR | Or | or
 *              | OUTOF '(' threshold (',' arg)+ ')'       OUTOF: OutOf | outof | OUTOF
 *   arg       := gate | principal
 *   principal := quoted 'MSPID.role' or "MSPID.role"      MSPID: [A-Za-z0-9.-]+ (greedy, so
 *                                                         'A.B.member' is MSP "A.B")
 *   threshold := integer | quoted integer                 0 <= t <= n + 1 (n = number of args)
 *
 * Whitespace is allowed between all tokens. `AND(a, b, c)` is `OutOf(3, a, b, c)`, `OR(...)` is
 * `OutOf(1, ...)`.
 */

/** A role an MSP principal can require (`msp.MSPRole.MSPRoleType`, lower-cased as in the DSL). */
export type PrincipalRole = 'member' | 'admin' | 'client' | 'peer' | 'orderer';

/** The roles of the DSL, in `MSPRoleType` enum order (member = 0 ... orderer = 4). */
export const PRINCIPAL_ROLES: readonly PrincipalRole[] = ['member', 'admin', 'client', 'peer', 'orderer'];

/** An MSP role principal, `'<mspId>.<role>'` in the DSL. */
export interface Principal {
  readonly mspId: string;
  readonly role: PrincipalRole;
}

/**
 * One node of a signature policy, mirroring `common.SignaturePolicy`: either "signed by the
 * principal at this index" or "at least `n` of these sub-rules".
 */
export type Rule =
  | { readonly signedBy: number }
  | { readonly nOutOf: { readonly n: number; readonly rules: readonly Rule[] } };

/** A signature policy: the principal table and the rule tree indexing into it (a `SignaturePolicyEnvelope`). */
export interface SignaturePolicy {
  readonly principals: readonly Principal[];
  readonly rule: Rule;
}

/** Options of {@link parseSignaturePolicy}. */
export interface ParseSignaturePolicyOptions {
  /**
   * Collapse repeated principals into one identity-table entry (keeping the first index in
   * Fabric's numbering order). Default `false`: like `policydsl.FromString`, every quoted
   * principal gets its own entry, so the envelope bytes equal Fabric's. Evaluation is the same
   * either way (cauthdsl consumes signers, not principals).
   */
  readonly dedupePrincipals?: boolean;
}

/** Maximum number of gates plus principals in a parsed policy (expr-lang's limit in recent `policydsl`). */
export const MAX_POLICY_NODES = 10_000;

/**
 * Maximum nesting depth of gates accepted anywhere in this module. Fabric has no such limit (only
 * the 10 000-node cap of the DSL), but google-protobuf (de)serialises nested messages recursively
 * and in superlinear time (a 1 000-deep 9 KB envelope takes about a second to decode and slightly
 * deeper ones overflow the stack), and key-level policies are chaincode-controlled bytes. Real
 * policies are a few levels deep.
 */
export const MAX_POLICY_DEPTH = 100;

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

const PRINCIPAL_RE = /^([A-Za-z0-9.-]+)\.(admin|member|client|peer|orderer)$/;
const MSP_ID_RE = /^[A-Za-z0-9.-]+$/;

type Gate = 'AND' | 'OR' | 'OUTOF';

const GATE_NAMES: ReadonlyMap<string, Gate> = new Map<string, Gate>([
  ['AND', 'AND'],
  ['And', 'AND'],
  ['and', 'AND'],
  ['OR', 'OR'],
  ['Or', 'OR'],
  ['or', 'OR'],
  ['OutOf', 'OUTOF'],
  ['outof', 'OUTOF'],
  ['OUTOF', 'OUTOF'],
]);

const ROLE_TO_PROTO: Readonly<
  Record<PrincipalRole, msp.MSPRole.MSPRoleTypeMap[keyof msp.MSPRole.MSPRoleTypeMap]>
> = {
  member: msp.MSPRole.MSPRoleType.MEMBER,
  admin: msp.MSPRole.MSPRoleType.ADMIN,
  client: msp.MSPRole.MSPRoleType.CLIENT,
  peer: msp.MSPRole.MSPRoleType.PEER,
  orderer: msp.MSPRole.MSPRoleType.ORDERER,
};

type AstNode =
  | { readonly kind: 'principal'; readonly principal: Principal }
  | {
      readonly kind: 'gate';
      readonly gate: Gate;
      readonly threshold: number;
      readonly thresholdPos: number;
      readonly args: readonly AstNode[];
    };

function isWhitespace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z0-9_.-]$/.test(c);
}

/** Recursive-descent parser producing an AST; principal numbering happens afterwards. */
class Parser {
  private pos = 0;
  private nodes = 0;

  constructor(private readonly src: string) {}

  parse(): AstNode {
    this.skipWs();
    if (this.pos >= this.src.length) throw this.syntax('empty policy', this.pos);
    const start = this.pos;
    const c = this.src[this.pos];
    if (c === "'" || c === '"') {
      throw this.syntax(
        `a policy must be a gate (AND, OR or OutOf), not a bare principal, at ${start}`,
        start,
        false,
      );
    }
    const root = this.parseArg(1);
    this.skipWs();
    if (this.pos < this.src.length) {
      throw this.syntax(
        `unexpected '${this.src[this.pos] ?? ''}' at ${this.pos} after the end of the policy`,
        this.pos,
        false,
      );
    }
    return root;
  }

  private syntax(message: string, position: number, appendPosition = true): PolicyError {
    return new PolicyError('SYNTAX', appendPosition ? `${message} at ${position}` : message, position);
  }

  private skipWs(): void {
    while (isWhitespace(this.src[this.pos])) this.pos++;
  }

  private count(): void {
    this.nodes++;
    if (this.nodes > MAX_POLICY_NODES) {
      throw new PolicyError(
        'TOO_COMPLEX',
        `policy exceeds maximum allowed nodes (${MAX_POLICY_NODES})`,
        this.pos,
      );
    }
  }

  /** Reads a quoted string at the cursor; returns its content. */
  private readString(): { text: string; start: number } {
    const start = this.pos;
    const quote = this.src[start];
    const end = this.src.indexOf(quote ?? "'", start + 1);
    if (end < 0) throw this.syntax('unterminated string starting', start);
    this.pos = end + 1;
    return { text: this.src.slice(start + 1, end), start };
  }

  private parseArg(depth: number): AstNode {
    this.skipWs();
    const start = this.pos;
    const c = this.src[start];
    if (c === undefined)
      throw this.syntax('expected a principal or a gate, found the end of the policy,', start);
    if (c === "'" || c === '"') {
      const { text } = this.readString();
      this.count();
      return { kind: 'principal', principal: parsePrincipal(text, start) };
    }
    if (isWordChar(c)) {
      while (isWordChar(this.src[this.pos])) this.pos++;
      const word = this.src.slice(start, this.pos);
      const gate = GATE_NAMES.get(word);
      if (gate === undefined) {
        const hint = PRINCIPAL_RE.test(word) ? ` (principals must be quoted: '${word}')` : '';
        throw new PolicyError('SYNTAX', `unrecognized token '${word}' at ${start}${hint}`, start);
      }
      return this.parseGate(gate, depth);
    }
    throw this.syntax(`expected a principal or a gate, found '${c}',`, start);
  }

  private parseGate(gate: Gate, depth: number): AstNode {
    if (depth > MAX_POLICY_DEPTH) {
      throw new PolicyError('TOO_COMPLEX', `policy nesting exceeds ${MAX_POLICY_DEPTH} levels`, this.pos);
    }
    this.count();
    this.skipWs();
    if (this.src[this.pos] !== '(') throw this.syntax("expected '('", this.pos);
    this.pos++;
    let threshold = 0;
    let thresholdPos = this.pos;
    if (gate === 'OUTOF') {
      this.skipWs();
      thresholdPos = this.pos;
      threshold = this.parseThreshold();
      this.skipWs();
      if (this.src[this.pos] !== ',') {
        if (this.src[this.pos] === ')') {
          throw this.syntax("OutOf needs a threshold and at least one policy: expected ','", this.pos);
        }
        throw this.syntax("expected ','", this.pos);
      }
      this.pos++;
    }
    const args: AstNode[] = [];
    for (;;) {
      args.push(this.parseArg(depth + 1));
      this.skipWs();
      const c = this.src[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ')') {
        this.pos++;
        break;
      }
      if (c === undefined) throw this.syntax("expected ')'", this.pos);
      throw this.syntax(`expected ',' or ')', found '${c}',`, this.pos);
    }
    if (gate === 'AND') threshold = args.length;
    else if (gate === 'OR') threshold = 1;
    else if (threshold < 0 || threshold > args.length + 1) {
      throw new PolicyError(
        'INVALID_THRESHOLD',
        `invalid t-out-of-n predicate, t ${threshold}, n ${args.length} (at ${thresholdPos})`,
        thresholdPos,
      );
    }
    return { kind: 'gate', gate, threshold, thresholdPos, args };
  }

  private parseThreshold(): number {
    const start = this.pos;
    const c = this.src[start];
    let digits: string;
    if (c === "'" || c === '"') {
      digits = this.readString().text.trim();
    } else {
      const number = /-?[0-9]+(\.[0-9]*)?/y;
      number.lastIndex = start;
      const m = number.exec(this.src);
      if (!m) throw this.syntax('expected the OutOf threshold (an integer)', start);
      digits = m[0];
      this.pos += digits.length;
    }
    if (!/^-?[0-9]+$/.test(digits)) {
      throw new PolicyError(
        'INVALID_THRESHOLD',
        `OutOf threshold must be an integer, got '${digits}' at ${start}`,
        start,
      );
    }
    return Number(digits);
  }
}

function parsePrincipal(text: string, position: number): Principal {
  const m = PRINCIPAL_RE.exec(text);
  if (!m?.[1] || !m[2]) {
    throw new PolicyError(
      'INVALID_PRINCIPAL',
      `unrecognized principal '${text}' at ${position}: expected 'MSPID.role' with role member, admin, client, peer or orderer`,
      position,
    );
  }
  return { mspId: m[1], role: m[2] as PrincipalRole };
}

/**
 * Parses Fabric's signature-policy DSL, e.g.
 * `AND('Org1MSP.peer', OR('Org2MSP.member', OutOf(2, 'A.admin', 'B.peer', 'C.client')))`.
 *
 * Principal numbering is exactly `policydsl.FromString`'s: the identity table is filled gate by
 * gate in evaluation order, i.e. for each gate first all nested gates (left to right,
 * recursively) and then the gate's own quoted principals (left to right). So
 * `OR('A.member', AND('B.member', 'C.member'))` yields principals `[B, C, A]` and rule
 * `OutOf(1, [SignedBy(2), OutOf(2, [SignedBy(0), SignedBy(1)])])`, byte-identical to Fabric.
 * Fabric does not deduplicate repeated principals; see {@link ParseSignaturePolicyOptions}.
 *
 * @throws {@link PolicyError} `SYNTAX` (with `position`), `INVALID_PRINCIPAL`, `INVALID_THRESHOLD`
 *   (Fabric's `invalid t-out-of-n predicate, t 4, n 2`) or `TOO_COMPLEX`.
 */
export function parseSignaturePolicy(
  expr: string,
  options: ParseSignaturePolicyOptions = {},
): SignaturePolicy {
  const root = new Parser(expr).parse();
  const principals: Principal[] = [];
  const byKey = new Map<string, number>();
  const dedupe = options.dedupePrincipals === true;

  const addPrincipal = (p: Principal): number => {
    const key = `${p.mspId}\u0000${p.role}`;
    if (dedupe) {
      const existing = byKey.get(key);
      if (existing !== undefined) return existing;
    }
    principals.push(p);
    byKey.set(key, principals.length - 1);
    return principals.length - 1;
  };

  const build = (node: AstNode): Rule => {
    if (node.kind === 'principal') return { signedBy: addPrincipal(node.principal) };
    // govaluate evaluates nested calls before the enclosing one: nested gates number first
    const nested = new Map<number, Rule>();
    node.args.forEach((arg, i) => {
      if (arg.kind === 'gate') nested.set(i, build(arg));
    });
    const rules = node.args.map((arg, i): Rule =>
      arg.kind === 'principal' ? { signedBy: addPrincipal(arg.principal) } : (nested.get(i) ?? build(arg)),
    );
    return { nOutOf: { n: node.threshold, rules } };
  };

  const policy: SignaturePolicy = { principals, rule: build(root) };
  validated.add(policy);
  return policy;
}

/** Policies already checked by {@link assertValidSignaturePolicy} (they are treated as immutable). */
const validated = new WeakSet<SignaturePolicy>();

/** Type guard: is this rule a `signedBy` leaf? */
export function isSignedBy(rule: Rule): rule is { readonly signedBy: number } {
  return 'signedBy' in rule;
}

/**
 * Checks that a policy object is structurally valid: known roles, string MSP IDs, `signedBy`
 * indices within the principal table (Fabric's `identity index out of range`), int32 thresholds,
 * nesting within {@link MAX_POLICY_DEPTH}. Policies are treated as immutable: a policy that passed
 * once is not re-checked.
 *
 * @throws {@link PolicyError} `INVALID_POLICY` or `TOO_COMPLEX`.
 */
export function assertValidSignaturePolicy(policy: SignaturePolicy): void {
  if (validated.has(policy)) return;
  const table: unknown = policy.principals;
  if (!Array.isArray(table)) throw new PolicyError('INVALID_POLICY', 'policy has no principal list');
  policy.principals.forEach((p, i) => {
    const mspId: unknown = p.mspId;
    const role: unknown = p.role;
    if (typeof mspId !== 'string') throw new PolicyError('INVALID_POLICY', `principal ${i} has no MSP ID`);
    if (typeof role !== 'string' || !(PRINCIPAL_ROLES as readonly string[]).includes(role)) {
      throw new PolicyError('INVALID_POLICY', `principal ${i} has unknown role '${String(role)}'`);
    }
  });
  const check = (rule: Rule, depth: number): void => {
    if (isSignedBy(rule)) {
      const i = rule.signedBy;
      if (!Number.isInteger(i) || i < 0 || i >= policy.principals.length) {
        throw new PolicyError(
          'INVALID_POLICY',
          `identity index out of range, requested ${i}, but identities length is ${policy.principals.length}`,
        );
      }
      return;
    }
    if (depth > MAX_POLICY_DEPTH) {
      throw new PolicyError('TOO_COMPLEX', `policy nesting exceeds ${MAX_POLICY_DEPTH} levels`);
    }
    const { n, rules } = rule.nOutOf;
    if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) {
      throw new PolicyError('INVALID_POLICY', `NOutOf threshold ${n} is not an int32`);
    }
    for (const r of rules) check(r, depth + 1);
  };
  check(policy.rule, 1);
  validated.add(policy);
}

function ruleToProto(rule: Rule): common.SignaturePolicy {
  const sp = new common.SignaturePolicy();
  if (isSignedBy(rule)) {
    sp.setSignedBy(rule.signedBy);
    return sp;
  }
  const nOutOf = new common.SignaturePolicy.NOutOf();
  nOutOf.setN(rule.nOutOf.n);
  nOutOf.setRulesList(rule.nOutOf.rules.map(ruleToProto));
  sp.setNOutOf(nOutOf);
  return sp;
}

/** The `msp.MSPPrincipal` (classification ROLE, principal = `MSPRole` bytes) for a principal. */
export function principalToProto(principal: Principal): msp.MSPPrincipal {
  const role = new msp.MSPRole();
  role.setMspIdentifier(principal.mspId);
  role.setRole(ROLE_TO_PROTO[principal.role]);
  const p = new msp.MSPPrincipal();
  p.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
  p.setPrincipal(role.serializeBinary());
  return p;
}

/**
 * Builds the `common.SignaturePolicyEnvelope` for a policy: version 0, the rule tree, and one
 * `MSPPrincipal{ROLE, MSPRole{msp_identifier, role}}` per principal, in table order, exactly as
 * `policydsl.FromString` and fabric-shim's `KeyEndorsementPolicy` build it. Serialize with
 * `.serializeBinary()`.
 *
 * @throws {@link PolicyError} `INVALID_POLICY` for a structurally invalid policy.
 */
export function toSignaturePolicyEnvelope(policy: SignaturePolicy): common.SignaturePolicyEnvelope {
  assertValidSignaturePolicy(policy);
  const env = new common.SignaturePolicyEnvelope();
  env.setVersion(0);
  env.setRule(ruleToProto(policy.rule));
  env.setIdentitiesList(policy.principals.map(principalToProto));
  return env;
}

const PROTO_TO_ROLE = new Map<number, PrincipalRole>(
  PRINCIPAL_ROLES.map((r) => [ROLE_TO_PROTO[r] as number, r] as const),
);

const CLASSIFICATION_NAMES = new Map<number, string>(
  Object.entries(msp.MSPPrincipal.Classification).map(([k, v]) => [v as number, k] as const),
);

function malformed(message: string, cause?: unknown): PolicyError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new PolicyError('MALFORMED_ENVELOPE', `${message}${detail}`);
}

/**
 * Decodes a `common.SignaturePolicyEnvelope` (bytes or message) into a {@link SignaturePolicy}.
 * Checks what `cauthdsl` checks when it compiles a policy: version 0 (`This evaluator only
 * understands messages of version 0, but version was N`), a rule present, every `signedBy` index
 * within the identity table. Only ROLE principals are modelled; other classifications (IDENTITY,
 * ORGANIZATION_UNIT, ...) are rejected with `UNSUPPORTED`.
 *
 * @throws {@link PolicyError} `MALFORMED_ENVELOPE`, `UNSUPPORTED` or `TOO_COMPLEX`.
 */
export function fromSignaturePolicyEnvelope(
  envelope: Uint8Array | common.SignaturePolicyEnvelope,
): SignaturePolicy {
  let env: common.SignaturePolicyEnvelope;
  if (envelope instanceof Uint8Array) {
    checkEnvelopeDepth(envelope);
    try {
      env = common.SignaturePolicyEnvelope.deserializeBinary(envelope);
    } catch (err) {
      throw malformed('cannot decode SignaturePolicyEnvelope', err);
    }
  } else {
    env = envelope;
  }
  if (env.getVersion() !== 0) {
    throw new PolicyError(
      'UNSUPPORTED',
      `This evaluator only understands messages of version 0, but version was ${env.getVersion()}`,
    );
  }
  const principals = env.getIdentitiesList().map((id, i): Principal => {
    const cls = id.getPrincipalClassification();
    if (cls !== msp.MSPPrincipal.Classification.ROLE) {
      const name = CLASSIFICATION_NAMES.get(cls) ?? String(cls);
      throw new PolicyError(
        'UNSUPPORTED',
        `identity ${i} has principal classification ${name}; only ROLE principals are supported`,
      );
    }
    let role: msp.MSPRole;
    try {
      role = msp.MSPRole.deserializeBinary(id.getPrincipal_asU8());
    } catch (err) {
      throw malformed(`cannot decode MSPRole of identity ${i}`, err);
    }
    const roleName = PROTO_TO_ROLE.get(role.getRole());
    if (roleName === undefined) throw malformed(`identity ${i} has unknown MSP role ${role.getRole()}`);
    return { mspId: role.getMspIdentifier(), role: roleName };
  });
  const convert = (sp: common.SignaturePolicy | undefined, depth: number): Rule => {
    if (sp === undefined) throw malformed('Empty policy element');
    switch (sp.getTypeCase()) {
      case common.SignaturePolicy.TypeCase.SIGNED_BY: {
        const i = sp.getSignedBy();
        if (i < 0 || i >= principals.length) {
          throw malformed(
            `identity index out of range, requested ${i}, but identities length is ${principals.length}`,
          );
        }
        return { signedBy: i };
      }
      case common.SignaturePolicy.TypeCase.N_OUT_OF: {
        if (depth > MAX_POLICY_DEPTH) {
          throw new PolicyError('TOO_COMPLEX', `policy nesting exceeds ${MAX_POLICY_DEPTH} levels`);
        }
        const nOutOf = sp.getNOutOf();
        if (nOutOf === undefined) throw malformed('Empty policy element');
        return {
          nOutOf: { n: nOutOf.getN(), rules: nOutOf.getRulesList().map((r) => convert(r, depth + 1)) },
        };
      }
      default:
        throw malformed('Unknown type: <nil> (SignaturePolicy with neither signed_by nor n_out_of)');
    }
  };
  const policy: SignaturePolicy = { principals, rule: convert(env.getRule(), 1) };
  validated.add(policy);
  return policy;
}

/** Reads a protobuf varint at `pos`; returns [value, next position]. Values beyond 2^53 are imprecise but only lengths matter here. */
function readVarint(bytes: Uint8Array, pos: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw malformed('cannot decode SignaturePolicyEnvelope: truncated varint');
    const b = bytes[pos++] ?? 0;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
  throw malformed('cannot decode SignaturePolicyEnvelope: varint too long');
}

/**
 * Walks the wire format of a `SignaturePolicyEnvelope` without recursion and rejects rule trees
 * with more than {@link MAX_POLICY_DEPTH} nested NOutOf gates before google-protobuf sees them.
 * Message kinds: 0 = envelope (rule = field 2), 1 = SignaturePolicy (n_out_of = field 2),
 * 2 = NOutOf (rules = field 2); `depth` counts the NOutOf gates on the path.
 */
function checkEnvelopeDepth(bytes: Uint8Array): void {
  const stack: { kind: 0 | 1 | 2; pos: number; end: number; depth: number }[] = [
    { kind: 0, pos: 0, end: bytes.length, depth: 0 },
  ];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    let pos = frame.pos;
    while (pos < frame.end) {
      const [tag, afterTag] = readVarint(bytes, pos, frame.end);
      pos = afterTag;
      const field = Math.floor(tag / 8);
      switch (tag % 8) {
        case 0:
          pos = readVarint(bytes, pos, frame.end)[1];
          break;
        case 1:
          pos += 8;
          break;
        case 5:
          pos += 4;
          break;
        case 2: {
          const [len, start] = readVarint(bytes, pos, frame.end);
          pos = start + len;
          if (pos > frame.end) throw malformed('cannot decode SignaturePolicyEnvelope: truncated field');
          if (field === 2) {
            const kind = frame.kind === 1 ? 2 : 1;
            const depth = kind === 2 ? frame.depth + 1 : frame.depth;
            if (depth > MAX_POLICY_DEPTH) {
              throw new PolicyError('TOO_COMPLEX', `policy nesting exceeds ${MAX_POLICY_DEPTH} levels`);
            }
            stack.push({ kind, pos: start, end: pos, depth });
          }
          break;
        }
        default:
          throw malformed(`cannot decode SignaturePolicyEnvelope: unsupported wire type ${tag % 8}`);
      }
      if (pos > frame.end) throw malformed('cannot decode SignaturePolicyEnvelope: truncated field');
    }
  }
}

/** `'MSP.role'` as written in the DSL. */
export function formatPrincipal(principal: Principal): string {
  return `'${principal.mspId}.${principal.role}'`;
}

/**
 * Formats a policy back to DSL text: `OR(...)` when n = 1, `AND(...)` when n equals the number of
 * sub-rules (> 1), otherwise `OutOf(n, ...)`; principals single-quoted, `", "` separators.
 * `parseSignaturePolicy(formatSignaturePolicy(p))` yields the same envelope bytes for policies that
 * came from the DSL; for envelopes numbered differently (e.g. fabric-shim's), the reparsed policy
 * is equivalent but may number its principals in Fabric's DSL order.
 *
 * @throws {@link PolicyError} `UNSUPPORTED` when an MSP ID cannot be written in the DSL
 *   (characters outside `[A-Za-z0-9.-]`), `INVALID_POLICY` for an invalid policy.
 */
export function formatSignaturePolicy(policy: SignaturePolicy): string {
  assertValidSignaturePolicy(policy);
  for (const p of policy.principals) {
    if (!MSP_ID_RE.test(p.mspId)) {
      throw new PolicyError('UNSUPPORTED', `MSP ID '${p.mspId}' cannot be expressed in the policy DSL`);
    }
  }
  const fmt = (rule: Rule): string => {
    if (isSignedBy(rule)) {
      const p = policy.principals[rule.signedBy];
      if (p === undefined)
        throw new PolicyError('INVALID_POLICY', `identity index ${rule.signedBy} out of range`);
      return formatPrincipal(p);
    }
    const { n, rules } = rule.nOutOf;
    const inner = rules.map(fmt).join(', ');
    if (n === 1 && rules.length >= 1) return `OR(${inner})`;
    if (n === rules.length && rules.length > 1) return `AND(${inner})`;
    return rules.length === 0 ? `OutOf(${n})` : `OutOf(${n}, ${inner})`;
  };
  return fmt(policy.rule);
}

/** The distinct MSP IDs a policy names, in principal-table order. */
export function policyMspIds(policy: SignaturePolicy): string[] {
  return [...new Set(policy.principals.map((p) => p.mspId))];
}
