// OData v4 `$filter` as Graph's Outlook endpoints take it: a tokenizer, a recursive-descent parser to a small AST,
// and an evaluator over JSON items (comparisons, and/or/not, string functions, any/all lambdas on collections).
// Mail and calendar routes compile a filter once per request. Imports: ./graph-error, ./odata.
import { GraphError } from './graph-error';
import { valueAt, type Json, type JsonObject } from './odata';

export type FilterPredicate = (item: Json) => boolean;

/** What a filter may name: the entity type's name (for messages) and its property names. */
export interface FilterTypeInfo {
  /** Qualified name used in messages, e.g. `microsoft.graph.message`. */
  name: string;
  /** Top-level property names (any case). */
  properties: Iterable<string>;
  /** Properties that are collections (for any/all); when given, a lambda on anything else is a 400. */
  collections?: Iterable<string>;
}

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterLiteral =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null'; value: null }
  | { type: 'datetime'; value: number; text: string };

export type FilterNode =
  | { kind: 'literal'; literal: FilterLiteral }
  | { kind: 'path'; variable: string | null; segments: string[] }
  | { kind: 'compare'; op: CompareOp; left: FilterNode; right: FilterNode }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'call'; name: string; args: FilterNode[] }
  | { kind: 'lambda'; quantifier: 'any' | 'all'; collection: FilterNode & { kind: 'path' }; variable: string | null; body: FilterNode | null };

/** Malformed syntax: Graph answers 400 BadRequest "Invalid filter clause: ..." (from its OData URI parser). */
export const invalidFilterClause = (detail: string): GraphError => new GraphError(400, 'BadRequest', `Invalid filter clause: ${detail}`);
/** Well-formed but beyond what Exchange evaluates (arithmetic, `has`, `in`, unknown functions...). */
export const unsupportedFilter = (): GraphError => new GraphError(400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.');

// ---------------------------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { t: 'punct'; v: '(' | ')' | ',' | ':' | '/'; pos: number }
  | { t: 'string'; v: string; pos: number }
  | { t: 'number'; v: number; pos: number }
  | { t: 'datetime'; v: number; text: string; pos: number }
  | { t: 'ident'; v: string; pos: number }
  | { t: 'end'; pos: number };

const dateTimeLiteral = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?)?(?![\w:.-])/i;
const numberLiteral = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:[mMdDfFlL])?(?![\w.])/;
const identifier = /^[A-Za-z_$@][\w.@$]*/;
const guidLiteral = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])/i;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === ':' || c === '/') {
      tokens.push({ t: 'punct', v: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw invalidFilterClause(`There is an unterminated string literal at position ${i} in '${text}'.`);
        const d = text.charAt(j);
        if (d === "'") {
          if (text.charAt(j + 1) === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += d;
        j++;
      }
      tokens.push({ t: 'string', v: value, pos: i });
      i = j + 1;
      continue;
    }
    const rest = text.slice(i);
    const guid = guidLiteral.exec(rest);
    if (guid) {
      tokens.push({ t: 'string', v: guid[0], pos: i });
      i += guid[0].length;
      continue;
    }
    const dt = dateTimeLiteral.exec(rest);
    if (dt) {
      const literal = dt[0];
      const iso = /T/i.test(literal) ? (/(Z|[+-]\d{2}:\d{2})$/i.test(literal) ? literal : `${literal}Z`) : `${literal}T00:00:00Z`;
      const ms = Date.parse(iso);
      if (Number.isNaN(ms)) throw invalidFilterClause(`The DateTimeOffset text '${literal}' should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range.`);
      tokens.push({ t: 'datetime', v: ms, text: literal, pos: i });
      i += literal.length;
      continue;
    }
    const num = numberLiteral.exec(rest);
    if (num) {
      tokens.push({ t: 'number', v: Number(num[0].replace(/[mMdDfFlL]$/, '')), pos: i });
      i += num[0].length;
      continue;
    }
    const id = identifier.exec(rest);
    if (id) {
      tokens.push({ t: 'ident', v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw invalidFilterClause(`Syntax error: character '${c}' is not valid at position ${i} in '${text}'.`);
  }
  tokens.push({ t: 'end', pos: text.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

const compareOps = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const unsupportedOps = new Set<string>(['has', 'in', 'add', 'sub', 'mul', 'div', 'divby', 'mod']);
const functionArity: Record<string, number> = { contains: 2, startswith: 2, endswith: 2, tolower: 1, toupper: 1, trim: 1, length: 1 };

/** Parses a `$filter` expression; throws GraphError 400 on malformed or unsupported input. */
export function parseFilter(text: string): FilterNode {
  if (text.trim() === '') throw invalidFilterClause(`Expression expected at position 0 in '${text}'.`);
  const tokens = tokenize(text);
  let p = 0;
  const peek = (): Token => tokens[p] ?? { t: 'end', pos: text.length };
  const next = (): Token => {
    const tok = peek();
    p++;
    return tok;
  };
  const isWord = (tok: Token, word: string) => tok.t === 'ident' && tok.v.toLowerCase() === word;
  const isPunct = (tok: Token, v: string) => tok.t === 'punct' && tok.v === v;
  const syntaxError = (tok: Token) => invalidFilterClause(`Syntax error at position ${tok.pos} in '${text}'.`);
  const expect = (v: string) => {
    const tok = next();
    if (!isPunct(tok, v)) throw invalidFilterClause(`'${v}' expected at position ${tok.pos} in '${text}'.`);
  };
  const variables: string[] = [];

  function parseOr(): FilterNode {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      next();
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  }

  function parseAnd(): FilterNode {
    let left = parseNot();
    while (isWord(peek(), 'and')) {
      next();
      left = { kind: 'and', left, right: parseNot() };
    }
    return left;
  }

  function parseNot(): FilterNode {
    if (isWord(peek(), 'not')) {
      next();
      return { kind: 'not', operand: parseNot() };
    }
    return parseComparison();
  }

  function parseComparison(): FilterNode {
    const left = parsePrimary();
    const tok = peek();
    if (tok.t === 'ident') {
      const op = tok.v.toLowerCase();
      if (compareOps.has(op)) {
        next();
        return { kind: 'compare', op: op as CompareOp, left, right: parsePrimary() };
      }
      if (unsupportedOps.has(op)) throw unsupportedFilter();
    }
    return left;
  }

  function parsePrimary(): FilterNode {
    const tok = next();
    if (tok.t === 'end') throw invalidFilterClause(`Expression expected at position ${tok.pos} in '${text}'.`);
    if (isPunct(tok, '(')) {
      const inner = parseOr();
      expect(')');
      return inner;
    }
    if (tok.t === 'string') return { kind: 'literal', literal: { type: 'string', value: tok.v } };
    if (tok.t === 'number') return { kind: 'literal', literal: { type: 'number', value: tok.v } };
    if (tok.t === 'datetime') return { kind: 'literal', literal: { type: 'datetime', value: tok.v, text: tok.text } };
    if (tok.t === 'punct') throw syntaxError(tok);
    const word = tok.v;
    const lower = word.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', literal: { type: 'boolean', value: lower === 'true' } };
    if (lower === 'null') return { kind: 'literal', literal: { type: 'null', value: null } };
    if (isPunct(peek(), '(')) {
      next();
      const arity = functionArity[lower];
      if (arity === undefined) {
        throw invalidFilterClause(`An unknown function with name '${word}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`);
      }
      const args: FilterNode[] = [];
      if (!isPunct(peek(), ')')) {
        args.push(parseOr());
        while (isPunct(peek(), ',')) {
          next();
          args.push(parseOr());
        }
      }
      expect(')');
      if (args.length !== arity) {
        throw invalidFilterClause(`No function signature for the function with name '${word}' matches the specified arguments. The function signatures considered are: ${word}(${Array.from({ length: arity }, () => 'Edm.String').join(', ')}).`);
      }
      return { kind: 'call', name: lower, args };
    }
    return parsePath(word);
  }

  function parsePath(first: string): FilterNode {
    const variable = variables.includes(first) ? first : null;
    const segments = variable === null ? [first] : [];
    while (isPunct(peek(), '/')) {
      next();
      const seg = next();
      if (seg.t !== 'ident') throw syntaxError(seg);
      const lower = seg.v.toLowerCase();
      if ((lower === 'any' || lower === 'all') && isPunct(peek(), '(')) {
        next();
        const collection = { kind: 'path' as const, variable, segments };
        if (isPunct(peek(), ')')) {
          next();
          if (lower === 'all') throw invalidFilterClause(`'all' requires a lambda expression at position ${seg.pos} in '${text}'.`);
          return { kind: 'lambda', quantifier: 'any', collection, variable: null, body: null };
        }
        const name = next();
        if (name.t !== 'ident') throw syntaxError(name);
        expect(':');
        variables.push(name.v);
        const body = parseOr();
        variables.pop();
        expect(')');
        return { kind: 'lambda', quantifier: lower, collection, variable: name.v, body };
      }
      segments.push(seg.v);
    }
    return { kind: 'path', variable, segments };
  }

  const ast = parseOr();
  const tail = peek();
  if (tail.t !== 'end') {
    if (tail.t === 'ident' && unsupportedOps.has(tail.v.toLowerCase())) throw unsupportedFilter();
    throw syntaxError(tail);
  }
  return ast;
}

// ---------------------------------------------------------------------------------------------------------------
// Checking names against the entity type

/** Throws Graph's 400 when the filter names a property the type does not have. */
export function checkFilterNames(node: FilterNode, type: FilterTypeInfo): void {
  const properties = new Set([...type.properties].map((p) => p.toLowerCase()));
  const collections = type.collections ? new Set([...type.collections].map((p) => p.toLowerCase())) : null;
  const visit = (n: FilterNode): void => {
    switch (n.kind) {
      case 'path': {
        const first = n.segments[0];
        if (n.variable === null && first !== undefined && !properties.has(first.toLowerCase())) {
          throw new GraphError(400, 'BadRequest', `Could not find a property named '${first}' on type '${type.name}'.`);
        }
        return;
      }
      case 'lambda': {
        visit(n.collection);
        const first = n.collection.segments[0];
        if (collections && n.collection.variable === null && n.collection.segments.length === 1 && first !== undefined && !collections.has(first.toLowerCase())) {
          throw invalidFilterClause(`The Any/All query expression can only be used on a collection; '${first}' is not a collection.`);
        }
        if (n.body) visit(n.body);
        return;
      }
      case 'compare':
      case 'and':
      case 'or':
        visit(n.left);
        visit(n.right);
        return;
      case 'not':
        visit(n.operand);
        return;
      case 'call':
        n.args.forEach(visit);
        return;
      case 'literal':
        return;
    }
  };
  visit(node);
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

class DateTimeValue {
  constructor(readonly ms: number) {}
}
type Value = Json | undefined | DateTimeValue;

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function timeOf(v: Value): number | null {
  if (v instanceof DateTimeValue) return v.ms;
  if (typeof v === 'string' && isoDateTime.test(v)) {
    const ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/i.test(v) ? v : `${v}Z`);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

function compareValues(op: CompareOp, a: Value, b: Value): boolean {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) {
    if (op === 'eq') return aNull && bNull;
    if (op === 'ne') return aNull !== bNull;
    return false;
  }
  let c: number;
  if (a instanceof DateTimeValue || b instanceof DateTimeValue) {
    const x = timeOf(a);
    const y = timeOf(b);
    if (x === null || y === null) return op === 'ne';
    c = x - y;
  } else if (typeof a === 'number' && typeof b === 'number') {
    c = a - b;
  } else if (typeof a === 'boolean' && typeof b === 'boolean') {
    c = Number(a) - Number(b);
  } else if (typeof a === 'string' && typeof b === 'string') {
    // Exchange compares strings without regard to case.
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    c = x === y ? 0 : x < y ? -1 : 1;
  } else {
    return op === 'ne';
  }
  switch (op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
  }
}

type Scope = ReadonlyMap<string, Json>;

function evaluate(node: FilterNode, root: Json, scope: Scope): Value {
  switch (node.kind) {
    case 'literal':
      return node.literal.type === 'datetime' ? new DateTimeValue(node.literal.value) : node.literal.value;
    case 'path': {
      const base = node.variable === null ? root : scope.get(node.variable);
      if (base === undefined) return undefined;
      return node.segments.length === 0 ? base : valueAt(base, node.segments);
    }
    case 'compare':
      return compareValues(node.op, evaluate(node.left, root, scope), evaluate(node.right, root, scope));
    case 'and':
      return evaluate(node.left, root, scope) === true && evaluate(node.right, root, scope) === true;
    case 'or':
      return evaluate(node.left, root, scope) === true || evaluate(node.right, root, scope) === true;
    case 'not':
      return evaluate(node.operand, root, scope) !== true;
    case 'call': {
      const args = node.args.map((a) => evaluate(a, root, scope));
      const [a, b] = args;
      const str = (v: Value): string | null => (typeof v === 'string' ? v.toLowerCase() : null);
      switch (node.name) {
        case 'contains':
        case 'startswith':
        case 'endswith': {
          const x = str(a);
          const y = str(b);
          if (x === null || y === null) return false;
          return node.name === 'contains' ? x.includes(y) : node.name === 'startswith' ? x.startsWith(y) : x.endsWith(y);
        }
        case 'tolower':
          return typeof a === 'string' ? a.toLowerCase() : null;
        case 'toupper':
          return typeof a === 'string' ? a.toUpperCase() : null;
        case 'trim':
          return typeof a === 'string' ? a.trim() : null;
        case 'length':
          return typeof a === 'string' ? a.length : null;
        default:
          throw unsupportedFilter();
      }
    }
    case 'lambda': {
      const collection = evaluate(node.collection, root, scope);
      if (!Array.isArray(collection)) return false;
      if (node.body === null || node.variable === null) return collection.length > 0;
      const body = node.body;
      const variable = node.variable;
      const test = (element: Json) => evaluate(body, root, new Map([...scope, [variable, element]])) === true;
      return node.quantifier === 'any' ? collection.some(test) : collection.every(test);
    }
  }
}

/** Evaluates a parsed filter against one item. */
export function evaluateFilter(node: FilterNode, item: Json): boolean {
  return evaluate(node, item, new Map()) === true;
}

/**
 * Compiles a `$filter` into a predicate over JSON items (messages, events...). With `type`, property names are
 * checked as Graph does (400 naming the property). Throws GraphError 400 on malformed or unsupported filters.
 */
export function compileFilter(text: string, type?: FilterTypeInfo): FilterPredicate {
  const ast = parseFilter(text);
  if (type) checkFilterNames(ast, type);
  return (item) => evaluateFilter(ast, item);
}

/** Applies an optional filter to a list (null: no filter). */
export function filterItems<T extends JsonObject>(items: readonly T[], filter: string | null, type?: FilterTypeInfo): T[] {
  if (filter === null) return [...items];
  const predicate = compileFilter(filter, type);
  return items.filter((item) => predicate(item));
}
