// The preview page with a fake Graph: sign-in, then the pane's own Office wrappers (addin/office/mailbox.ts) driving
// the emulated Office.js while the preview's forms show and send the same item: "Fill intro" lands in To, Cc,
// Subject, body and headers and Send sends them; an Inbox message opens in read mode with its hand-off header; a
// meeting filled by the pane is sent as an invite; bad input is refused naming the field.
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createOfficeMailbox } from '../../addin/office/mailbox';
import { sharedOfficeKey } from '../../addin/preview/emulated-office';
import type { AppointmentItem, ComposeItem, ReadItem } from '../../addin/preview/item-store';
import { PreviewApp, parsePeople, type PreviewUser } from '../../addin/preview/preview-app';
import type { SandboxGraph } from '../../addin/preview/sandbox-graph';

const dana: PreviewUser = { address: 'dana.sdr@contoso-sales.example', name: 'Dana Sdr', timeZone: 'Europe/Berlin' };
const handoffId = '5b0c1f0e-3a54-4f4e-9a3c-2f1d0c9b8a71';

class FakeGraph implements SandboxGraph {
  sent: ComposeItem[] = [];
  meetings: AppointmentItem[] = [];
  messages: ReadItem[] = [];
  send = (message: ComposeItem): Promise<void> => {
    this.sent.push(message);
    return Promise.resolve();
  };
  inbox = (): Promise<ReadItem[]> => Promise.resolve(this.messages);
  saveMeeting = (meeting: AppointmentItem): Promise<void> => {
    this.meetings.push(meeting);
    return Promise.resolve();
  };
}

const host: Record<string, unknown> = {};

function renderPreview(options: { user?: PreviewUser | null; signIn?: () => Promise<PreviewUser>; graph?: FakeGraph } = {}) {
  const graph = options.graph ?? new FakeGraph();
  render(
    <PreviewApp
      initialUser={options.user === undefined ? dana : options.user}
      signIn={options.signIn ?? (() => Promise.resolve(dana))}
      graphFor={() => graph}
      paneUrl="https://baton.test/addin/preview-pane.html"
      now={() => new Date('2026-11-24T09:10:00Z')}
      host={host}
    />,
  );
  return graph;
}

/** The pane's frame takes the published Office as its global; here the test window does. */
function paneMailbox() {
  (globalThis as unknown as Record<string, unknown>)['Office'] = host[sharedOfficeKey];
  return createOfficeMailbox();
}

afterEach(() => {
  delete (globalThis as unknown as Record<string, unknown>)['Office'];
});

describe('sign-in', () => {
  it('opens the pane beside the message once a sandbox user signs in', async () => {
    renderPreview({ user: null });
    expect(screen.queryByTitle('Baton task pane')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Sign in as a sandbox user' }));
    expect(await screen.findByText('Signed in as Dana Sdr (dana.sdr@contoso-sales.example)')).toBeInTheDocument();
    expect(screen.getByTitle('Baton task pane')).toHaveAttribute('src', 'https://baton.test/addin/preview-pane.html');
    const office = paneMailbox();
    expect(office.user()).toEqual({ address: dana.address, name: dana.name });
    expect(office.unsupportedReason()).toBeNull();
  });

  it('shows why sign-in failed', async () => {
    renderPreview({ user: null, signIn: () => Promise.reject(new Error('Your browser blocked the sign-in window. Allow pop-ups for this site, then try again.')) });
    await userEvent.click(screen.getByRole('button', { name: 'Sign in as a sandbox user' }));
    expect(await screen.findByText(/Allow pop-ups for this site/)).toBeInTheDocument();
  });
});

describe('a new message', () => {
  it("shows what the pane's Fill intro wrote, and sends it with the hand-off header", async () => {
    const graph = renderPreview();
    const mailbox = paneMailbox();
    expect(mailbox.itemKind()).toBe('message_compose');
    await act(() =>
      mailbox.fillIntro({
        to: [{ address: 'grace@contoso-robotics.example', name: 'Grace <Hopper>' }],
        cc: [{ address: 'anton.ae@contoso-sales.example', name: 'Anton Ae' }],
        subject: 'Intro: Contoso Robotics',
        html: '<p>Grace, meet Anton.</p>',
        header: { name: 'x-baton-handoff', value: handoffId },
      }),
    );
    const form = screen.getByRole('form', { name: 'New message' });
    expect(within(form).getByRole('textbox', { name: /^To/ })).toHaveValue('"Grace <Hopper>" <grace@contoso-robotics.example>');
    expect(within(form).getByRole('textbox', { name: 'Cc' })).toHaveValue('Anton Ae <anton.ae@contoso-sales.example>');
    expect(within(form).getByRole('textbox', { name: 'Subject' })).toHaveValue('Intro: Contoso Robotics');
    expect(within(form).getByRole('textbox', { name: 'Body (HTML)' })).toHaveValue('<p>Grace, meet Anton.</p>');
    expect(within(form).getByRole('textbox', { name: /^Internet headers/ })).toHaveValue(`x-baton-handoff: ${handoffId}`);

    await userEvent.click(within(form).getByRole('button', { name: 'Send' }));
    expect(await screen.findByText(/Sent through the sandbox/)).toBeInTheDocument();
    expect(graph.sent).toEqual([
      expect.objectContaining({
        to: [{ address: 'grace@contoso-robotics.example', name: 'Grace <Hopper>' }],
        cc: [{ address: 'anton.ae@contoso-sales.example', name: 'Anton Ae' }],
        subject: 'Intro: Contoso Robotics',
        headers: { 'x-baton-handoff': handoffId },
      }),
    ]);
  });

  it('refuses a recipient that is not an address, naming the field, and sends nothing', async () => {
    const graph = renderPreview();
    const form = screen.getByRole('form', { name: 'New message' });
    await userEvent.type(within(form).getByRole('textbox', { name: 'Cc' }), 'anton at contoso');
    await userEvent.type(within(form).getByRole('textbox', { name: 'Subject' }), 'Hello');
    await userEvent.click(within(form).getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Cc: "anton at contoso" is not an email address.')).toBeInTheDocument();
    expect(graph.sent).toHaveLength(0);
  });

  it("fails the pane's write when Outlook would: a recipient that is not an address", async () => {
    renderPreview();
    (globalThis as unknown as Record<string, unknown>)['Office'] = host[sharedOfficeKey];
    const office = host[sharedOfficeKey] as { context: { mailbox: { item: Office.MessageCompose } } };
    const result = await new Promise<Office.AsyncResult<void>>((resolve) => {
      office.context.mailbox.item.to.setAsync([{ displayName: 'X', emailAddress: 'not-an-address' }], resolve);
    });
    expect(result.status).toBe('failed');
    expect(result.error.message).toContain('not a valid email address');
  });
});

describe('the Inbox', () => {
  it('opens a message in read mode for the pane, with its headers, and tells the pane the item changed', async () => {
    const graph = new FakeGraph();
    graph.messages = [
      {
        kind: 'message_read',
        id: 'AAMk-1',
        subject: 'Intro: Contoso Robotics',
        from: { address: dana.address, name: dana.name },
        to: [{ address: 'grace@contoso-robotics.example', name: 'Grace' }],
        cc: [{ address: 'anton.ae@contoso-sales.example', name: 'Anton Ae' }],
        html: '<p>Hello</p><script>parent.hacked = true</script>',
        headers: [
          { name: 'Message-ID', value: '<1@contoso-sales.example>' },
          { name: 'x-baton-handoff', value: handoffId },
        ],
        receivedAt: '2026-11-24T09:00:00Z',
      },
    ];
    renderPreview({ graph });
    const mailbox = paneMailbox();
    const changed = jest.fn();
    mailbox.onItemChanged(changed);
    await userEvent.click(screen.getByRole('tab', { name: 'Inbox' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Dana Sdr: Intro: Contoso Robotics' }));

    await waitFor(() => {
      expect(changed).toHaveBeenCalled();
    });
    expect(mailbox.itemKind()).toBe('message_read');
    await expect(mailbox.readItem()).resolves.toEqual({
      subject: 'Intro: Contoso Robotics',
      from: { address: dana.address, name: dana.name },
      to: [{ address: 'grace@contoso-robotics.example', name: 'Grace' }],
      cc: [{ address: 'anton.ae@contoso-sales.example', name: 'Anton Ae' }],
      handoffId,
    });
    // The body is foreign HTML: shown in a frame that runs no script.
    expect(screen.getByTitle('Message body')).toHaveAttribute('sandbox', '');
  });
});

describe('a new meeting', () => {
  it("shows the invite the pane filled and sends it, keeping the meeting's length when the start moves", async () => {
    const graph = renderPreview();
    await userEvent.click(screen.getByRole('tab', { name: 'New meeting' }));
    const mailbox = paneMailbox();
    expect(mailbox.itemKind()).toBe('appointment_organizer');
    const start = new Date('2026-11-26T13:00:00Z');
    await act(() =>
      mailbox.fillInvite({
        requiredAttendees: [
          { address: 'grace@contoso-robotics.example', name: 'Grace' },
          { address: 'anton.ae@contoso-sales.example', name: 'Anton Ae' },
        ],
        start,
        end: new Date('2026-11-26T13:45:00Z'),
        subject: 'Contoso Robotics and Contoso Sales',
        html: '<p>Agenda</p>',
        location: 'Microsoft Teams',
      }),
    );
    const form = screen.getByRole('form', { name: 'New meeting' });
    expect(within(form).getByRole('textbox', { name: 'Required attendees' })).toHaveValue('Grace <grace@contoso-robotics.example>; Anton Ae <anton.ae@contoso-sales.example>');
    expect(within(form).getByRole('textbox', { name: 'Location' })).toHaveValue('Microsoft Teams');
    await userEvent.click(within(form).getByRole('button', { name: 'Send invite' }));
    expect(await screen.findByText(/Invite sent through the sandbox/)).toBeInTheDocument();
    expect(graph.meetings[0]?.start.toISOString()).toBe('2026-11-26T13:00:00.000Z');
    expect(graph.meetings[0]?.end.toISOString()).toBe('2026-11-26T13:45:00.000Z');
  });
});

describe('parsePeople', () => {
  it.each([
    ['Grace Hopper <grace@x.example>; anton@y.example', [{ address: 'grace@x.example', name: 'Grace Hopper' }, { address: 'anton@y.example', name: 'anton@y.example' }], []],
    ['"Ada, L" <ada@x.example>, "Grace <G>" <grace@x.example>', [{ address: 'ada@x.example', name: 'Ada, L' }, { address: 'grace@x.example', name: 'Grace <G>' }], []],
    ['nobody', [], ['nobody']],
  ])('%s', (text, people, bad) => {
    expect(parsePeople(text)).toEqual({ people, bad });
  });
});
