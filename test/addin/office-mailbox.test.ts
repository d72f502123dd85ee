// The OfficeMailbox on Office.js (addin/office/mailbox.ts) against an Outlook item built with office-addin-mock and
// typed callbacks: what Fill intro and Fill invite write, what the read view reads (the x-baton-handoff header
// written by compose and read back), each Office failure as a rejected Error a user can act on, bad input refused.
import { OfficeApp } from 'office-addin-manifest';
import { OfficeMockObject } from 'office-addin-mock';
import { OfficeCallError, createOfficeMailbox, handoffIdFromHeaders } from '../../addin/office/mailbox';
import type { IntroFill, InviteFill } from '../../addin/office/ports';

type Result<T> = Office.AsyncResult<T>;
type OfficeGlobal = { Office?: unknown };

const handoffId = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** A call of a setAsync-style member: its first argument and (for body) the options. */
interface Recorded {
  value: unknown;
  options?: unknown;
}

function succeeded<T>(value: T): Result<T> {
  return { status: 'succeeded', value, error: undefined, asyncContext: undefined, diagnostics: undefined } as unknown as Result<T>;
}

function failed(code: number, message: string): Result<never> {
  return { status: 'failed', value: undefined, error: { code, name: 'GenericResponseError', message }, asyncContext: undefined, diagnostics: undefined } as unknown as Result<never>;
}

/** A setAsync member that records what it was given and answers like Office, or fails with `failure`. */
function setter(log: Recorded[], failure?: Result<never>) {
  return jest.fn((value: unknown, optionsOrCallback: unknown, maybeCallback?: (r: Result<void>) => void) => {
    const callback = (typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback) as (r: Result<void>) => void;
    if (typeof optionsOrCallback !== 'function') log.push({ value, options: optionsOrCallback });
    else log.push({ value });
    // Office answers asynchronously, never inside the call.
    setTimeout(() => {
      callback(failure ?? succeeded(undefined));
    }, 0);
  });
}

function installOffice(office: unknown): void {
  (globalThis as OfficeGlobal).Office = office;
}

/** The enums read at run time (they have no values in @types/office-js) and the context around `item`. */
function officeWith(item: object | undefined, extra: { isSetSupported?: (name: string, version?: string) => boolean; mailbox?: object } = {}) {
  const data: Record<string, unknown> = {
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    CoercionType: { Html: 'html', Text: 'text' },
    EventType: { ItemChanged: 'olkItemSelectedChanged' },
    context: {
      requirements: { isSetSupported: extra.isSetSupported ?? (() => true) },
      mailbox: {
        userProfile: { emailAddress: 'sara.sdr@contoso.example', displayName: 'Sara Sdr' },
        ...(item === undefined ? {} : { item }),
        ...extra.mailbox,
      },
    },
  };
  return new OfficeMockObject(data, OfficeApp.Outlook);
}

/** A message being composed; every member records into `writes` and may be told to fail. */
function composeItem(failures: Partial<Record<'to' | 'cc' | 'subject' | 'body' | 'internetHeaders', Result<never>>> = {}) {
  const writes = { to: [] as Recorded[], cc: [] as Recorded[], subject: [] as Recorded[], body: [] as Recorded[], internetHeaders: [] as Recorded[] };
  const item = {
    itemType: 'message',
    to: { setAsync: setter(writes.to, failures.to) },
    cc: { setAsync: setter(writes.cc, failures.cc) },
    subject: { setAsync: setter(writes.subject, failures.subject) },
    body: { setAsync: setter(writes.body, failures.body) },
    internetHeaders: { setAsync: setter(writes.internetHeaders, failures.internetHeaders) },
  };
  return { item, writes };
}

const intro: IntroFill = {
  to: [{ address: 'lena.lead@fabrikam.example', name: 'Lena Lead' }],
  cc: [{ address: 'adam.ae@contoso.example', name: 'Adam Ae' }],
  subject: 'Introduction: Fabrikam and Contoso',
  html: '<p>Hello Lena, meet Adam.</p>',
  header: { name: 'x-baton-handoff', value: handoffId },
};

/** A raw header block as getAllInternetHeadersAsync returns it: CRLF lines, long values folded. */
function rawHeaders(extra: Record<string, string>): string {
  const lines = [
    'Received: from mail.fabrikam.example (10.0.0.1) by mx.contoso.example with SMTP;\r\n\tMon, 2 Mar 2026 09:00:00 +0000',
    'From: Sara Sdr <sara.sdr@contoso.example>',
    'Subject: Introduction: Fabrikam and Contoso',
    ...Object.entries(extra).map(([name, value]) => `${name}: ${value}`),
    'MIME-Version: 1.0',
  ];
  return lines.join('\r\n') + '\r\n';
}

function readItem(headers: string | Result<never> | undefined) {
  const getAllInternetHeadersAsync = jest.fn((callback: (r: Result<string>) => void) => {
    setTimeout(() => {
      callback(typeof headers === 'string' ? succeeded(headers) : (headers ?? succeeded('')));
    }, 0);
  });
  const item = {
    itemType: 'message',
    subject: 'Introduction: Fabrikam and Contoso',
    from: { emailAddress: 'sara.sdr@contoso.example', displayName: 'Sara Sdr' },
    to: [{ emailAddress: 'lena.lead@fabrikam.example', displayName: 'Lena Lead' }],
    cc: [{ emailAddress: 'adam.ae@contoso.example', displayName: '' }],
    ...(headers === undefined ? {} : { getAllInternetHeadersAsync }),
  };
  return { item, getAllInternetHeadersAsync };
}

afterEach(() => {
  delete (globalThis as OfficeGlobal).Office;
  jest.useRealTimers();
});

describe('itemKind, user and unsupportedReason', () => {
  it('tells the four Outlook surfaces apart', () => {
    const mailbox = createOfficeMailbox();
    installOffice(officeWith(composeItem().item));
    expect(mailbox.itemKind()).toBe('message_compose');
    installOffice(officeWith(readItem('').item));
    expect(mailbox.itemKind()).toBe('message_read');
    installOffice(officeWith({ itemType: 'appointment', subject: { setAsync: jest.fn() }, start: { setAsync: jest.fn() } }));
    expect(mailbox.itemKind()).toBe('appointment_organizer');
    installOffice(officeWith({ itemType: 'appointment', subject: 'Demo', start: new Date() }));
    expect(mailbox.itemKind()).toBe('appointment_attendee');
  });

  it('is on no item when Outlook has none selected or Office is absent', () => {
    const mailbox = createOfficeMailbox();
    expect(mailbox.itemKind()).toBe('none');
    installOffice(officeWith(undefined));
    expect(mailbox.itemKind()).toBe('none');
    installOffice({ context: { mailbox: { item: null } } });
    expect(mailbox.itemKind()).toBe('none');
  });

  it("reads the signed-in user from Outlook's profile", () => {
    installOffice(officeWith(undefined));
    expect(createOfficeMailbox().user()).toEqual({ address: 'sara.sdr@contoso.example', name: 'Sara Sdr' });
    delete (globalThis as OfficeGlobal).Office;
    expect(createOfficeMailbox().user()).toBeNull();
  });

  it('asks for Mailbox 1.8 and names it when the client lacks it', () => {
    const isSetSupported = jest.fn(() => false);
    installOffice(officeWith(undefined, { isSetSupported }));
    const reason = createOfficeMailbox().unsupportedReason();
    expect(isSetSupported).toHaveBeenCalledWith('Mailbox', '1.8');
    expect(reason).toMatch(/does not support Mailbox requirement set 1\.8/);
    expect(reason).toMatch(/Update Outlook/);
  });

  it('has no reason when the set is supported, and one when Office is absent', () => {
    installOffice(officeWith(undefined, { isSetSupported: (name, version) => name === 'Mailbox' && version === '1.8' }));
    expect(createOfficeMailbox().unsupportedReason()).toBeNull();
    delete (globalThis as OfficeGlobal).Office;
    expect(createOfficeMailbox().unsupportedReason()).toMatch(/Mailbox requirement set 1\.8/);
  });
});

describe('fillIntro', () => {
  it('writes the header, To, Cc, subject and the HTML body into the message being composed', async () => {
    const { item, writes } = composeItem();
    installOffice(officeWith(item));
    await createOfficeMailbox().fillIntro(intro);
    expect(writes.internetHeaders).toEqual([{ value: { 'x-baton-handoff': handoffId } }]);
    expect(writes.to).toEqual([{ value: [{ displayName: 'Lena Lead', emailAddress: 'lena.lead@fabrikam.example' }] }]);
    expect(writes.cc).toEqual([{ value: [{ displayName: 'Adam Ae', emailAddress: 'adam.ae@contoso.example' }] }]);
    expect(writes.subject).toEqual([{ value: 'Introduction: Fabrikam and Contoso' }]);
    expect(writes.body).toEqual([{ value: '<p>Hello Lena, meet Adam.</p>', options: { coercionType: 'html' } }]);
  });

  it.each([
    ['internetHeaders', 'add the x-baton-handoff header to the message'],
    ['to', 'set the To line'],
    ['cc', 'set the Cc line'],
    ['subject', 'set the subject'],
    ['body', 'write the message body'],
  ] as const)('rejects with an Error naming the step when %s fails, and stops there', async (step, words) => {
    const { item, writes } = composeItem({ [step]: failed(9041, 'The operation failed.') });
    installOffice(officeWith(item));
    const error: unknown = await createOfficeMailbox().fillIntro(intro).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfficeCallError);
    expect((error as OfficeCallError).code).toBe(9041);
    expect((error as Error).message).toBe(`Outlook could not ${words} (Office error 9041: The operation failed.). Try again; if it keeps failing, close and reopen the item.`);
    const order = ['internetHeaders', 'to', 'cc', 'subject', 'body'] as const;
    for (const later of order.slice(order.indexOf(step) + 1)) expect(writes[later]).toEqual([]);
  });

  it('rejects (does not throw) when Outlook throws inside the call', async () => {
    const { item } = composeItem();
    item.cc.setAsync.mockImplementation(() => {
      throw new Error('Sys.ArgumentException');
    });
    installOffice(officeWith(item));
    await expect(createOfficeMailbox().fillIntro(intro)).rejects.toThrow('Outlook could not set the Cc line (Sys.ArgumentException).');
  });

  it('refuses before writing anything on a client without internet headers (Mailbox 1.8)', async () => {
    const { item, writes } = composeItem();
    const { internetHeaders: _dropped, ...older } = item;
    installOffice(officeWith(older));
    await expect(createOfficeMailbox().fillIntro(intro)).rejects.toThrow(/cannot add the x-baton-handoff header \(Mailbox 1\.8\)/);
    expect(writes.to).toEqual([]);
  });

  it.each([
    [{ ...intro, to: [] }, /To is empty: the lead/],
    [{ ...intro, cc: [] }, /Cc is empty: the account executive/],
    [{ ...intro, to: [{ address: 'lena at fabrikam', name: 'Lena' }] }, /To holds "lena at fabrikam", which is not an email address/],
    [{ ...intro, subject: '  ' }, /no subject/],
    [{ ...intro, html: '' }, /no body/],
    [{ ...intro, header: { name: 'baton-handoff', value: handoffId } }, /must start with "x-"/],
    [{ ...intro, header: { name: 'x-baton-handoff', value: `${handoffId}\r\nBcc: someone@evil.example` } }, /needs a one-line value/],
  ] as [IntroFill, RegExp][])('refuses a bad intro with a message naming what is wrong (%#)', async (bad, message) => {
    const { item, writes } = composeItem();
    installOffice(officeWith(item));
    await expect(createOfficeMailbox().fillIntro(bad)).rejects.toThrow(message);
    expect(Object.values(writes).flat()).toEqual([]);
  });

  it('refuses on a message being read', async () => {
    installOffice(officeWith(readItem('').item));
    await expect(createOfficeMailbox().fillIntro(intro)).rejects.toThrow(
      'Baton can fill the intro only on a new message; the pane is open on a message you are reading. Open a new message and try again.',
    );
  });
});

describe('readItem', () => {
  it('reads subject, sender, recipients and the hand-off id written by Fill intro', async () => {
    const compose = composeItem();
    installOffice(officeWith(compose.item));
    await createOfficeMailbox().fillIntro(intro);
    const written = compose.writes.internetHeaders[0]?.value as Record<string, string>;

    // The same message as the AE receives it: the header as Exchange lists it, name in another case.
    const upper = Object.fromEntries(Object.entries(written).map(([name, value]) => [name.toUpperCase(), value.toUpperCase()]));
    installOffice(officeWith(readItem(rawHeaders(upper)).item));
    await expect(createOfficeMailbox().readItem()).resolves.toEqual({
      subject: 'Introduction: Fabrikam and Contoso',
      from: { address: 'sara.sdr@contoso.example', name: 'Sara Sdr' },
      to: [{ address: 'lena.lead@fabrikam.example', name: 'Lena Lead' }],
      cc: [{ address: 'adam.ae@contoso.example', name: 'adam.ae@contoso.example' }],
      handoffId,
    });
  });

  it('has no hand-off id on an ordinary message or when the header is not a hand-off id', async () => {
    installOffice(officeWith(readItem(rawHeaders({})).item));
    expect((await createOfficeMailbox().readItem()).handoffId).toBeNull();
    installOffice(officeWith(readItem(rawHeaders({ 'x-baton-handoff': '<script>alert(1)</script>' })).item));
    expect((await createOfficeMailbox().readItem()).handoffId).toBeNull();
  });

  it('still reads the message on a client without getAllInternetHeadersAsync, with no hand-off id', async () => {
    const { item } = readItem(undefined);
    installOffice(officeWith(item));
    const facts = await createOfficeMailbox().readItem();
    expect(facts.handoffId).toBeNull();
    expect(facts.from).toEqual({ address: 'sara.sdr@contoso.example', name: 'Sara Sdr' });
  });

  it('rejects with an Error when Outlook cannot read the headers', async () => {
    installOffice(officeWith(readItem(failed(5001, 'An internal error has occurred.')).item));
    await expect(createOfficeMailbox().readItem()).rejects.toThrow(
      "Outlook could not read the message's headers (Office error 5001: An internal error has occurred.). Try again; if it keeps failing, close and reopen the item.",
    );
  });

  it('reads a meeting the AE was invited to: organizer, attendees, no header', async () => {
    installOffice(
      officeWith({
        itemType: 'appointment',
        subject: 'Fabrikam and Contoso: first call',
        organizer: { emailAddress: 'sara.sdr@contoso.example', displayName: 'Sara Sdr' },
        requiredAttendees: [{ emailAddress: 'adam.ae@contoso.example', displayName: 'Adam Ae' }],
        optionalAttendees: [],
        start: new Date(),
      }),
    );
    await expect(createOfficeMailbox().readItem()).resolves.toEqual({
      subject: 'Fabrikam and Contoso: first call',
      from: { address: 'sara.sdr@contoso.example', name: 'Sara Sdr' },
      to: [{ address: 'adam.ae@contoso.example', name: 'Adam Ae' }],
      cc: [],
      handoffId: null,
    });
  });

  it('refuses on a message being composed and on no item', async () => {
    installOffice(officeWith(composeItem().item));
    await expect(createOfficeMailbox().readItem()).rejects.toThrow(/only on a message or meeting you received; the pane is open on a message you are writing/);
    installOffice(officeWith(undefined));
    await expect(createOfficeMailbox().readItem()).rejects.toThrow(/the pane is open on no item/);
  });
});

describe('handoffIdFromHeaders', () => {
  it('joins folded lines and matches the name in any case', () => {
    expect(handoffIdFromHeaders(`Subject: a\r\nX-Baton-Handoff:\r\n ${handoffId}\r\nTo: b`, 'x-baton-handoff')).toBe(handoffId);
    expect(handoffIdFromHeaders(`x-baton-handoff-extra: ${handoffId}\n`, 'x-baton-handoff')).toBeNull();
  });
});

describe('fillInvite', () => {
  const invite: InviteFill = {
    requiredAttendees: [
      { address: 'lena.lead@fabrikam.example', name: 'Lena Lead' },
      { address: 'adam.ae@contoso.example', name: 'Adam Ae' },
    ],
    start: new Date('2026-03-04T14:00:00Z'),
    end: new Date('2026-03-04T14:30:00Z'),
    subject: 'Fabrikam and Contoso: first call',
    html: '<p>Agenda</p>',
    location: 'Microsoft Teams',
  };

  function organizerItem(failures: Partial<Record<'requiredAttendees' | 'start' | 'end' | 'subject' | 'body' | 'location', Result<never>>> = {}) {
    const writes = { requiredAttendees: [] as Recorded[], start: [] as Recorded[], end: [] as Recorded[], subject: [] as Recorded[], body: [] as Recorded[], location: [] as Recorded[] };
    const item = {
      itemType: 'appointment',
      requiredAttendees: { setAsync: setter(writes.requiredAttendees, failures.requiredAttendees) },
      start: { setAsync: setter(writes.start, failures.start) },
      end: { setAsync: setter(writes.end, failures.end) },
      subject: { setAsync: setter(writes.subject, failures.subject) },
      body: { setAsync: setter(writes.body, failures.body) },
      location: { setAsync: setter(writes.location, failures.location) },
    };
    return { item, writes };
  }

  it('writes attendees, time, subject, HTML body and location into the meeting being organised', async () => {
    const { item, writes } = organizerItem();
    installOffice(officeWith(item));
    await createOfficeMailbox().fillInvite(invite);
    expect(writes.requiredAttendees).toEqual([
      {
        value: [
          { displayName: 'Lena Lead', emailAddress: 'lena.lead@fabrikam.example' },
          { displayName: 'Adam Ae', emailAddress: 'adam.ae@contoso.example' },
        ],
      },
    ]);
    expect(writes.start).toEqual([{ value: invite.start }]);
    expect(writes.end).toEqual([{ value: invite.end }]);
    expect(writes.subject).toEqual([{ value: 'Fabrikam and Contoso: first call' }]);
    expect(writes.body).toEqual([{ value: '<p>Agenda</p>', options: { coercionType: 'html' } }]);
    expect(writes.location).toEqual([{ value: 'Microsoft Teams' }]);
  });

  it('leaves the location alone when the invite has none', async () => {
    const { item, writes } = organizerItem();
    installOffice(officeWith(item));
    await createOfficeMailbox().fillInvite({ ...invite, location: undefined });
    expect(writes.location).toEqual([]);
    expect(writes.body).toHaveLength(1);
  });

  it.each([
    ['requiredAttendees', 'set the required attendees'],
    ['start', 'set the start time'],
    ['end', 'set the end time'],
    ['location', 'set the location'],
  ] as const)('rejects with an Error naming the step when %s fails', async (step, words) => {
    const { item } = organizerItem({ [step]: failed(9999, 'Denied.') });
    installOffice(officeWith(item));
    await expect(createOfficeMailbox().fillInvite(invite)).rejects.toThrow(`Outlook could not ${words} (Office error 9999: Denied.)`);
  });

  it.each([
    [{ ...invite, requiredAttendees: [] }, /Required attendees is empty/],
    [{ ...invite, end: invite.start }, /ends before it starts/],
    [{ ...invite, start: new Date('not a date') }, /no valid start time/],
    [{ ...invite, subject: '' }, /no subject/],
  ] as [InviteFill, RegExp][])('refuses a bad invite with a message naming what is wrong (%#)', async (bad, message) => {
    const { item, writes } = organizerItem();
    installOffice(officeWith(item));
    await expect(createOfficeMailbox().fillInvite(bad)).rejects.toThrow(message);
    expect(Object.values(writes).flat()).toEqual([]);
  });

  it('refuses on a message being composed', async () => {
    installOffice(officeWith(composeItem().item));
    await expect(createOfficeMailbox().fillInvite(invite)).rejects.toThrow(/only on a new meeting; the pane is open on a message you are writing/);
  });
});

describe('onItemChanged', () => {
  function handlerMailbox(addResult: Result<void> | Result<never> = succeeded(undefined)) {
    let officeHandler: (() => void) | undefined;
    const addHandlerAsync = jest.fn((_type: string, handler: () => void, callback: (r: Result<void>) => void) => {
      officeHandler = handler;
      setTimeout(() => {
        callback(addResult);
      }, 0);
    });
    const removeHandlerAsync = jest.fn((_type: string, callback: (r: Result<void>) => void) => {
      officeHandler = undefined;
      setTimeout(() => {
        callback(succeeded(undefined));
      }, 0);
    });
    installOffice(officeWith(undefined, { mailbox: { addHandlerAsync, removeHandlerAsync } }));
    return { addHandlerAsync, removeHandlerAsync, fire: () => officeHandler?.() };
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('tells every listener when the user selects another item, through one Office handler', async () => {
    const office = handlerMailbox();
    const mailbox = createOfficeMailbox();
    const first = jest.fn();
    const second = jest.fn();
    const stopFirst = mailbox.onItemChanged(first);
    const stopSecond = mailbox.onItemChanged(second);
    await settle();
    expect(office.addHandlerAsync).toHaveBeenCalledTimes(1);
    expect(office.addHandlerAsync.mock.calls[0]?.[0]).toBe('olkItemSelectedChanged');

    office.fire();
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);

    stopFirst();
    office.fire();
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(2);
    expect(office.removeHandlerAsync).not.toHaveBeenCalled();

    stopSecond();
    await settle();
    expect(office.removeHandlerAsync).toHaveBeenCalledWith('olkItemSelectedChanged', expect.any(Function));
  });

  it('removes the Office handler once registered when every listener left meanwhile', async () => {
    const office = handlerMailbox();
    const stop = createOfficeMailbox().onItemChanged(jest.fn());
    stop();
    await settle();
    expect(office.removeHandlerAsync).toHaveBeenCalledTimes(1);
  });

  it('reports a failed registration as an Error', async () => {
    handlerMailbox(failed(5000, 'The specified event type is not supported.'));
    const onError = jest.fn<undefined, [Error]>();
    createOfficeMailbox({ onError }).onItemChanged(jest.fn());
    await settle();
    expect(onError).toHaveBeenCalledWith(expect.any(OfficeCallError));
    expect(onError.mock.calls[0]?.[0].message).toMatch(/Outlook could not follow the item you select while the pane is pinned \(Office error 5000/);
  });
});
