// The contract tests' tools, tested: the CSDL model (inheritance, enums, container, bound operations), the resolver
// of Graph URL paths, and the body checker (unknown names, enum values, casts, annotations, collections).
import { checkBody, describe as describeRef, loadCsdl, pathSegments, resolveGraphPath, type BodyProblem } from '../csdl';
import { loadExamples } from './examples';

const model = loadCsdl();
const ref = (type: string, collection = false) => ({ type: `microsoft.graph.${type}`, collection });
const problems = (body: unknown, type: string, collection = false): string[] => checkBody(model, body, ref(type, collection)).map((p: BodyProblem) => `${p.kind} ${p.at}`);

describe('the v1.0 CSDL model', () => {
  it('reads the types, with inherited properties and navigation properties', () => {
    const event = model.type('microsoft.graph.event');
    expect(event).toMatchObject({ kind: 'entity', baseType: 'microsoft.graph.outlookItem', openType: true });
    expect(model.lineage('microsoft.graph.eventMessage')).toEqual(['microsoft.graph.eventMessage', 'microsoft.graph.message', 'microsoft.graph.outlookItem', 'microsoft.graph.entity']);
    const props = model.properties('microsoft.graph.event');
    expect(props.get('id')).toEqual({ name: 'id', type: 'Edm.String', collection: false });
    expect(props.get('changeKey')?.type).toBe('Edm.String');
    expect(props.get('attendees')).toEqual({ name: 'attendees', type: 'microsoft.graph.attendee', collection: true });
    expect(model.navigation('microsoft.graph.eventMessage').get('event')).toMatchObject({ type: 'microsoft.graph.event', collection: false });
    expect(model.type('#Microsoft.Graph.Message')?.name).toBe('microsoft.graph.message');
    expect(model.type('dateTimeTimeZone')?.kind).toBe('complex');
  });

  it('reads enums (flags too), the container and the bound operations', () => {
    expect([...(model.enumType('microsoft.graph.responseType')?.members ?? [])]).toEqual(['none', 'organizer', 'tentativelyAccepted', 'accepted', 'declined', 'notResponded']);
    expect(model.enumType('microsoft.graph.freeBusyStatus')?.members.has('workingElsewhere')).toBe(true);
    expect(model.entitySets.get('users')).toBe('microsoft.graph.user');
    expect(model.entitySets.get('subscriptions')).toBe('microsoft.graph.subscription');
    expect(model.singletons.get('me')).toBe('microsoft.graph.user');
    expect(model.boundOperation('accept', ref('event'))).toMatchObject({ kind: 'action', binding: ref('event'), returnType: null });
    expect(model.boundOperation('microsoft.graph.delta', ref('message', true))).toMatchObject({ kind: 'function', returnType: ref('message', true) });
    expect(model.boundOperation('getSchedule', ref('calendar'))?.parameters.map((p) => p.name)).toEqual(['Schedules', 'EndTime', 'StartTime', 'AvailabilityViewInterval']);
    // Bound to message, so an eventMessage has it too; not bound to a collection of messages.
    expect(model.boundOperation('reply', ref('eventMessage'))?.binding).toEqual(ref('message'));
    expect(model.boundOperation('reply', ref('message', true))).toBeUndefined();
  });
});

describe('resolving Graph URL paths', () => {
  it.each([
    ['/users/{id}/mailFolders/{id}/messages/delta', 'Collection(microsoft.graph.message)'],
    ['/users/{id}/events/{id}/accept', 'none'],
    ['/users/{id}/calendar/getSchedule', 'Collection(microsoft.graph.scheduleInformation)'],
    ['/subscriptions/{id}', 'microsoft.graph.subscription'],
    ['/users/{id}/mailboxSettings', 'microsoft.graph.mailboxSettings'],
    ['/v1.0/me/calendarView/delta', 'Collection(microsoft.graph.event)'],
    ['/v1.0/users/:user/events/:eventId/microsoft.graph.tentativelyAccept', 'none'],
    ["/v1.0/users('a@b.example')/mailFolders('Inbox')/messages?$top=2", 'Collection(microsoft.graph.message)'],
    ['https://graph.microsoft.com/v1.0/me/messages/AAMk=/microsoft.graph.eventMessage/event', 'microsoft.graph.event'],
    ['/me/mailboxSettings/workingHours', 'microsoft.graph.workingHours'],
    ['/me/MAILFOLDERS/inbox/Messages', 'Collection(microsoft.graph.message)'],
    ['/subscriptions/{id}/reauthorize', 'none'],
    ['/users/{id}/manager', 'microsoft.graph.directoryObject'],
    ['/me/events/$count', 'protocol $count'],
    ['/$batch', 'protocol $batch'],
    ['/$metadata', 'protocol $metadata'],
  ])('%s → %s', (path, expected) => {
    const r = resolveGraphPath(model, path);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const t = r.target;
    expect(t.kind === 'type' ? describeRef(t.ref) : t.kind === 'protocol' ? `protocol ${t.segment}` : t.kind).toBe(expected);
  });

  it.each([
    ['/users/{id}/nonsense', 'nonsense'],
    ['/mailboxes/{id}', 'mailboxes'],
    ['/me/events/{id}/accept/more', 'more'],
    ['/me/messages/{id}/$value', '$value'],
    ['/me/messages/delta/{id}', '{id}'],
    ['/users/{id}/microsoft.graph.event', 'microsoft.graph.event'],
    ['/subscriptions/{id}/accept', 'accept'],
  ])('%s fails at %s', (path, segment) => {
    const r = resolveGraphPath(model, path);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.segment).toBe(segment);
  });

  it("splits OData key syntax and decodes segments", () => {
    expect(pathSegments("/v1.0/users('a%40b.example')/messages('AAMk%3D')/reply?x=1")).toEqual(['users', 'a@b.example', 'messages', 'AAMk=', 'reply']);
  });
});

describe('checking a body against its CSDL type', () => {
  it('accepts a body with only the names of the type and its base types, and annotations', () => {
    const body = {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users(x)/events/$entity',
      '@odata.etag': 'W/"x"',
      id: 'AAMk=',
      changeKey: 'x',
      subject: 'Hi',
      showAs: 'busy',
      attendees: [{ type: 'required', status: { response: 'tentativelyAccepted', time: '2026-01-01T00:00:00Z' }, emailAddress: { name: 'A', address: 'a@b' } }],
      'attendees@odata.type': '#Collection(microsoft.graph.attendee)',
      '@removed': { reason: 'deleted' },
      onlineMeeting: null,
    };
    expect(problems(body, 'event')).toEqual([]);
  });

  it('names each unknown property and each value outside an enum, at its JSON path', () => {
    const body = { id: 'x', subjet: 'typo', showAs: 'Busy', attendees: [{ type: 'required' }, { type: 'mandatory', status: { response: 'yes', extra: 1 } }] };
    expect(problems(body, 'event')).toEqual(['unknownProperty subjet', 'enumValue showAs', 'enumValue attendees[1].type', 'enumValue attendees[1].status.response', 'unknownProperty attendees[1].status.extra']);
  });

  it('widens the names by an @odata.type cast to a derived type, and refuses a cast to an unrelated type', () => {
    const eventMessage = { '@odata.type': '#microsoft.graph.eventMessage', id: 'x', subject: 'Invite', meetingMessageType: 'meetingRequest', event: { id: 'e', subject: 'Invite' } };
    expect(problems(eventMessage, 'message')).toEqual([]);
    expect(problems({ ...eventMessage, '@odata.type': undefined }, 'message')).toEqual(['unknownProperty meetingMessageType', 'unknownProperty event']);
    expect(problems({ '@odata.type': '#microsoft.graph.event', id: 'x' }, 'message')).toEqual(['odataType @odata.type']);
    const timeZone = { workingHours: { timeZone: { '@odata.type': '#microsoft.graph.customTimeZone', name: 'Custom', bias: 480 } } };
    expect(problems(timeZone, 'mailboxSettings')).toEqual([]);
  });

  it('splits flags enums on commas, and checks the JSON kind of primitive values', () => {
    expect(model.enumType('microsoft.graph.dayOfWeek')?.isFlags).toBe(false);
    // Any complex type with a flags-enum property will do.
    const holder = [...model.structured.values()].flatMap((t) => [...t.properties.values()].map((p) => ({ t, p, e: model.enumType(p.type) }))).find((x) => x.e?.isFlags === true && !x.p.collection && x.t.kind === 'complex');
    const [m1, m2] = [...(holder?.e?.members ?? [])];
    if (!holder || m1 === undefined || m2 === undefined) throw new Error('no flags enum in the CSDL');
    expect(checkBody(model, { [holder.p.name]: `${m1}, ${m2}` }, { type: holder.t.name, collection: false })).toEqual([]);
    expect(checkBody(model, { [holder.p.name]: `${m1},bogus` }, { type: holder.t.name, collection: false }).map((p) => p.detail)).toEqual([expect.stringContaining("'bogus' is not a member")]);
    expect(problems({ id: 'x', isAllDay: 'false', reminderMinutesBeforeStart: '15', categories: ['a', 1] }, 'event')).toEqual([
      'valueKind isAllDay',
      'valueKind reminderMinutesBeforeStart',
      'valueKind categories[1]',
    ]);
  });

  it('checks a collection answer item by item, and only annotations beside value', () => {
    const answer = { '@odata.context': 'x', '@odata.nextLink': 'y', value: [{ id: 'a', subject: 's' }, { id: 'b', nope: 1 }], count: 2 };
    expect(problems(answer, 'message', true)).toEqual(['unknownProperty count', 'unknownProperty value[1].nope']);
    expect(problems({ '@odata.context': 'x' }, 'message', true)).toEqual(['shape value']);
  });

  it("finds Microsoft's documented answers clean, except where the docs themselves stray from the CSDL", () => {
    const byName = new Map(loadExamples().map((e) => [e.name, e]));
    const check = (name: string) => {
      const e = byName.get(name);
      const r = resolveGraphPath(model, e?.request?.url ?? '');
      if (!r.ok || r.target.kind !== 'type') throw new Error(`${name} does not resolve`);
      return checkBody(model, e?.response?.body, r.target.ref).map((p) => `${p.kind} ${p.at}`);
    };
    expect(check('eventmessage-get.2')).toEqual([]);
    expect(check('calendar-getschedule.1')).toEqual([]);
    expect(check('message-get.1')).toEqual([]);
    // The doc's mailboxSettings answer predates camelCase enums and shows userPurpose as an object.
    expect(check('user-get-mailboxsettings.1')).toEqual(['enumValue automaticRepliesSetting.status', 'enumValue automaticRepliesSetting.externalAudience', 'valueKind userPurpose']);
  });
});
