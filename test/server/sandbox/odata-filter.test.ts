// The OData $filter parser and evaluator the sandbox's mail and calendar routes share: which items each common
// Graph filter form keeps, and the 400s Graph gives for malformed or unsupported filters.
import { GraphError } from '../../../server/sandbox/graph-error';
import { compileFilter, parseFilter, type FilterTypeInfo } from '../../../server/sandbox/odata-filter';
import type { JsonObject } from '../../../server/sandbox/odata';

const recipient = (address: string, name = address) => ({ emailAddress: { name, address } });

const items: JsonObject[] = [
  {
    id: 'm1',
    subject: 'Intro: Fabrikam lead',
    isRead: false,
    importance: 'high',
    receivedDateTime: '2026-11-23T08:00:00Z',
    from: recipient('sofia.keller@contoso-sales.example', 'Sofia Keller'),
    toRecipients: [recipient('anton.weber@contoso-sales.example'), recipient('buyer@fabrikam.example')],
    internetMessageHeaders: [{ name: 'x-baton-lead', value: 'L-1' }],
    categories: ['Baton'],
    size: 10,
    flag: { flagStatus: 'flagged' },
  },
  {
    id: 'm2',
    subject: "RE: Let's meet",
    isRead: true,
    importance: 'normal',
    receivedDateTime: '2026-11-24T09:30:00Z',
    from: recipient('anton.weber@contoso-sales.example', 'Anton Weber'),
    toRecipients: [recipient('sofia.keller@contoso-sales.example')],
    internetMessageHeaders: [],
    categories: [],
    size: 20,
    flag: { flagStatus: 'notFlagged' },
  },
  {
    id: 'm3',
    subject: 'Weekly report',
    isRead: false,
    importance: 'low',
    receivedDateTime: '2026-11-25T10:00:00Z',
    from: recipient('megan.bauer@contoso-sales.example', 'Megan Bauer'),
    toRecipients: [],
    internetMessageHeaders: [{ name: 'X-Baton-Lead', value: 'L-2' }],
    categories: ['Red', 'Baton'],
    size: 30,
    flag: null,
  },
];

const messageType: FilterTypeInfo = {
  name: 'microsoft.graph.message',
  properties: Object.keys(items[0] ?? {}),
  collections: ['toRecipients', 'internetMessageHeaders', 'categories'],
};

const ids = (filter: string) => items.filter(compileFilter(filter, messageType)).map((m) => m['id']);

describe('OData $filter', () => {
  it.each([
    ["subject eq 'Weekly report'", ['m3']],
    ["subject eq 'weekly REPORT'", ['m3']],
    ["subject ne 'Weekly report'", ['m1', 'm2']],
    ["subject eq 'RE: Let''s meet'", ['m2']],
    ['isRead eq false', ['m1', 'm3']],
    ['isRead', ['m2']],
    ['not isRead', ['m1', 'm3']],
    ["importance eq 'high' or importance eq 'low'", ['m1', 'm3']],
    ["isRead eq false and importance eq 'high'", ['m1']],
    ["not (isRead eq false and importance eq 'high')", ['m2', 'm3']],
    ["(importance eq 'high' or importance eq 'normal') and isRead eq true", ['m2']],
    ['size gt 10', ['m2', 'm3']],
    ['size ge 20 and size le 20', ['m2']],
    ['size lt 15.5', ['m1']],
    ['receivedDateTime ge 2026-11-24T00:00:00Z', ['m2', 'm3']],
    ['receivedDateTime lt 2026-11-24T09:30:00Z', ['m1']],
    ['receivedDateTime gt 2026-11-24', ['m2', 'm3']],
    ['receivedDateTime ge 2026-11-24T10:30:00+01:00', ['m2', 'm3']],
    ["from/emailAddress/address eq 'ANTON.WEBER@contoso-sales.example'", ['m2']],
    ["startswith(subject, 'RE:')", ['m2']],
    ["endswith(subject,'report')", ['m3']],
    ["contains(subject, 'fabrikam')", ['m1']],
    ["not contains(subject, 'fabrikam')", ['m2', 'm3']],
    ["tolower(subject) eq 'weekly report'", ['m3']],
    ["toRecipients/any(r: r/emailAddress/address eq 'buyer@fabrikam.example')", ['m1']],
    ["toRecipients/any(r:endswith(r/emailAddress/address, '@contoso-sales.example'))", ['m1', 'm2']],
    ['toRecipients/any()', ['m1', 'm2']],
    ["toRecipients/all(r: endswith(r/emailAddress/address, 'contoso-sales.example'))", ['m2', 'm3']],
    ["internetMessageHeaders/any(h: h/name eq 'x-baton-lead' and h/value eq 'L-2')", ['m3']],
    ["categories/any(c: c eq 'red')", ['m3']],
    ['flag eq null', ['m3']],
    ['flag ne null', ['m1', 'm2']],
    ["flag/flagStatus eq 'flagged'", ['m1']],
    ["id eq 'm2' or (id eq 'm3' and isRead eq true)", ['m2']],
  ])('%s', (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it.each([
    ["subject eq 'unterminated", 'BadRequest', /unterminated string literal/],
    ['subject eq', 'BadRequest', /Expression expected at position 10/],
    ["subject eq 'a' and", 'BadRequest', /Expression expected/],
    ["(subject eq 'a'", 'BadRequest', /'\)' expected/],
    ["subject eq 'a' 'b'", 'BadRequest', /Syntax error at position 15/],
    ['subject eq #', 'BadRequest', /character '#' is not valid at position 11/],
    ["frobnicate(subject, 'a')", 'BadRequest', /unknown function with name 'frobnicate'/],
    ["contains(subject)", 'BadRequest', /No function signature/],
    ["nonsense eq 'a'", 'BadRequest', /Could not find a property named 'nonsense' on type 'microsoft.graph.message'/],
    ["subject/any(s: s eq 'a')", 'BadRequest', /only be used on a collection/],
    ['size add 1 eq 2', 'ErrorInvalidUrlQueryFilter', /invalid nodes/],
    ["importance in ('high', 'low')", 'ErrorInvalidUrlQueryFilter', /invalid nodes/],
    ['', 'BadRequest', /Expression expected/],
  ])('refuses %j with 400 %s', (filter, code, message) => {
    let error: unknown = null;
    try {
      compileFilter(filter, messageType);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphError);
    const g = error as GraphError;
    expect(g.status).toBe(400);
    expect(g.code).toBe(code);
    expect(g.message).toMatch(message);
  });

  it('parses to an AST that callers can inspect (the delta route allows only receivedDateTime ge/gt)', () => {
    expect(parseFilter('receivedDateTime ge 2026-11-24T00:00:00Z')).toEqual({
      kind: 'compare',
      op: 'ge',
      left: { kind: 'path', variable: null, segments: ['receivedDateTime'] },
      right: { kind: 'literal', literal: { type: 'datetime', value: Date.parse('2026-11-24T00:00:00Z'), text: '2026-11-24T00:00:00Z' } },
    });
  });

  it('compiles without a type (no name checks) for other resources', () => {
    const predicate = compileFilter("start/dateTime ge '2026-11-24' and isCancelled eq false");
    expect(predicate({ start: { dateTime: '2026-11-25T10:00:00.0000000' }, isCancelled: false })).toBe(true);
    expect(predicate({ start: { dateTime: '2026-11-23T10:00:00.0000000' }, isCancelled: false })).toBe(false);
  });
});
