// The preview page: Outlook emulated beside the real task pane. Left, the signed-in sandbox user's item: a message
// to write and send (To, Cc, Subject, HTML body, internet headers), the Inbox to read, a meeting to organise. Right,
// the pane (preview-pane.html) in a 320 px frame, driving the same item through the emulated Office.js. Gets sign-in
// and Graph through props. Imports React, Fluent UI and the preview's modules.
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import {
  Button,
  Field,
  FluentProvider,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Spinner,
  Tab,
  TabList,
  Text,
  Textarea,
  makeStyles,
  tokens,
  webLightTheme,
} from '@fluentui/react-components';
import { createEmulatedOffice, sharedOfficeKey, type ThemeName } from './emulated-office';
import { createItemStore, newAppointment, newMessage, type AppointmentItem, type ComposeItem, type Person, type PreviewItem, type PreviewItemStore, type ReadItem } from './item-store';
import type { SandboxGraph } from './sandbox-graph';

export interface PreviewUser {
  address: string;
  name: string;
  timeZone: string;
}

export interface PreviewAppProps {
  /** The user signed in already (MSAL's cache), or null. */
  initialUser: PreviewUser | null;
  /** Opens the sandbox's sign-in window; resolves with the user picked. */
  signIn: () => Promise<PreviewUser>;
  /** Graph as `user`. */
  graphFor: (user: PreviewUser) => SandboxGraph;
  /** The pane's page (preview-pane.html). */
  paneUrl: string;
  now?: () => Date;
  /** Where the emulated Office is published for the pane's frame (this window by default). */
  host?: Record<string, unknown>;
}

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', minHeight: '100vh', boxSizing: 'border-box', padding: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalM },
  header: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', columnGap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalS },
  title: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  columns: { display: 'flex', columnGap: tokens.spacingHorizontalL, alignItems: 'stretch', flexGrow: 1, minHeight: 0 },
  item: { flexGrow: 1, minWidth: 0, display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  form: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, maxWidth: '760px' },
  actions: { display: 'flex', columnGap: tokens.spacingHorizontalS, alignItems: 'center' },
  pane: { width: '320px', flexShrink: 0, border: `1px solid ${tokens.colorNeutralStroke1}`, minHeight: '640px', height: 'calc(100vh - 140px)' },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS, maxWidth: '760px' },
  message: { width: '100%', justifyContent: 'flex-start', textAlign: 'left' },
  body: { width: '100%', maxWidth: '760px', height: '320px', border: `1px solid ${tokens.colorNeutralStroke2}`, backgroundColor: '#ffffff' },
  muted: { color: tokens.colorNeutralForeground3 },
});

const emailPattern = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/** A display name as it goes before `<address>`: quoted when it holds a separator, a bracket or a quote. */
const quotedName = (name: string): string => (/[,;<>"]/.test(name) ? `"${name.replace(/"/g, '')}"` : name);

export function formatPeople(people: readonly Person[]): string {
  return people.map((p) => (p.name !== '' && p.name !== p.address ? `${quotedName(p.name)} <${p.address}>` : p.address)).join('; ');
}

/** Splits on `;` and `,` outside quotes and angle brackets. */
function splitRecipients(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let bracket = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (c === '<' && !quoted) bracket = true;
    else if (c === '>' && !quoted) bracket = false;
    if ((c === ';' || c === ',') && !quoted && !bracket) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** `Name <address>; address, …` as people; `bad` lists the entries that are not addresses. */
export function parsePeople(text: string): { people: Person[]; bad: string[] } {
  const people: Person[] = [];
  const bad: string[] = [];
  for (const raw of splitRecipients(text)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const named = /^(.*)<([^<>]+)>$/.exec(entry);
    const address = (named?.[2] ?? entry).trim();
    const name = named?.[1]?.trim().replace(/^"|"$/g, '') ?? '';
    if (emailPattern.test(address)) people.push({ address, name: name === '' ? address : name });
    else bad.push(entry);
  }
  return { people, bad };
}

export function formatHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

/** `name: value` lines as headers; `bad` lists the lines without a name. */
export function parseHeaders(text: string): { headers: Record<string, string>; bad: string[] } {
  const headers: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) bad.push(line);
    else headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers, bad };
}

/** A text field over structured data that the pane may also change: the typed text stays until the data moves. */
function useDraft<T>(value: T, format: (v: T) => string): [string, (text: string) => void] {
  const formatted = format(value);
  const [draft, setDraft] = useState(formatted);
  const [shown, setShown] = useState(formatted);
  if (shown !== formatted) {
    setShown(formatted);
    setDraft(formatted);
  }
  return [draft, setDraft];
}

const localInput = (date: Date): string => {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
};

function useItem(store: PreviewItemStore): PreviewItem | null {
  return useSyncExternalStore(store.subscribe, store.item);
}

type Status = { kind: 'idle' } | { kind: 'busy'; text: string } | { kind: 'done'; text: string } | { kind: 'error'; text: string };

function StatusBar({ status }: { status: Status }): React.JSX.Element | null {
  if (status.kind === 'idle') return null;
  if (status.kind === 'busy') return <Spinner size="tiny" labelPosition="after" label={status.text} />;
  return (
    <MessageBar intent={status.kind === 'done' ? 'success' : 'error'} layout="multiline">
      <MessageBarBody>{status.text}</MessageBarBody>
    </MessageBar>
  );
}

const failureText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function ComposeForm({ item, store, graph }: { item: ComposeItem; store: PreviewItemStore; graph: SandboxGraph }): React.JSX.Element {
  const styles = useStyles();
  const [to, setTo] = useDraft(item.to, formatPeople);
  const [cc, setCc] = useDraft(item.cc, formatPeople);
  const [headers, setHeaders] = useDraft(item.headers, formatHeaders);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const sent = status.kind === 'done';
  const edit = (patch: Partial<ComposeItem>) => {
    const current = store.item();
    if (current?.kind === 'message_compose') store.update({ ...current, ...patch });
  };

  const send = async () => {
    const parsedTo = parsePeople(to);
    const parsedCc = parsePeople(cc);
    const parsedHeaders = parseHeaders(headers);
    const problem =
      parsedTo.bad.length > 0
        ? `To: "${parsedTo.bad[0] ?? ''}" is not an email address.`
        : parsedCc.bad.length > 0
          ? `Cc: "${parsedCc.bad[0] ?? ''}" is not an email address.`
          : parsedHeaders.bad.length > 0
            ? `Internet headers: "${parsedHeaders.bad[0] ?? ''}" is not "name: value".`
            : null;
    if (problem !== null) {
      setStatus({ kind: 'error', text: problem });
      return;
    }
    setStatus({ kind: 'busy', text: 'Sending…' });
    try {
      await graph.send({ ...item, to: parsedTo.people, cc: parsedCc.people, headers: parsedHeaders.headers });
      setStatus({ kind: 'done', text: 'Sent through the sandbox. It is in your Sent Items and in the recipients’ inboxes.' });
    } catch (error) {
      setStatus({ kind: 'error', text: failureText(error) });
    }
  };

  return (
    <form
      className={styles.form}
      aria-label={item.inReplyTo === null ? 'New message' : 'Reply'}
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <Field label="To" hint="Addresses separated by ; (Name <address> works too)">
        <Input value={to} disabled={sent} onChange={(_e, d) => { setTo(d.value); edit({ to: parsePeople(d.value).people }); }} />
      </Field>
      <Field label="Cc">
        <Input value={cc} disabled={sent} onChange={(_e, d) => { setCc(d.value); edit({ cc: parsePeople(d.value).people }); }} />
      </Field>
      <Field label="Subject">
        <Input value={item.subject} disabled={sent} onChange={(_e, d) => { edit({ subject: d.value }); }} />
      </Field>
      <Field label="Body (HTML)">
        <Textarea value={item.html} disabled={sent} resize="vertical" rows={8} onChange={(_e, d) => { edit({ html: d.value }); }} />
      </Field>
      <Field label="Internet headers" hint="One per line, name: value (custom headers start with x-)">
        <Textarea value={headers} disabled={sent} rows={2} onChange={(_e, d) => { setHeaders(d.value); edit({ headers: parseHeaders(d.value).headers }); }} />
      </Field>
      <div className={styles.actions}>
        <Button appearance="primary" type="submit" disabled={sent || status.kind === 'busy'}>
          Send
        </Button>
        {sent && (
          <Button onClick={() => { store.replace(newMessage()); }}>
            New message
          </Button>
        )}
      </div>
      <StatusBar status={status} />
    </form>
  );
}

function MeetingForm({ item, store, graph }: { item: AppointmentItem; store: PreviewItemStore; graph: SandboxGraph }): React.JSX.Element {
  const styles = useStyles();
  const [attendees, setAttendees] = useDraft(item.attendees, formatPeople);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const edit = (patch: Partial<AppointmentItem>) => {
    const current = store.item();
    if (current?.kind === 'appointment_organizer') store.update({ ...current, ...patch });
  };
  const setTime = (field: 'start' | 'end', text: string) => {
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) edit({ [field]: date });
  };
  const save = async () => {
    const parsed = parsePeople(attendees);
    if (parsed.bad.length > 0) {
      setStatus({ kind: 'error', text: `Required attendees: "${parsed.bad[0] ?? ''}" is not an email address.` });
      return;
    }
    setStatus({ kind: 'busy', text: 'Sending the invite…' });
    try {
      await graph.saveMeeting({ ...item, attendees: parsed.people });
      setStatus({ kind: 'done', text: 'Invite sent through the sandbox: it is on your calendar and the attendees’.' });
    } catch (error) {
      setStatus({ kind: 'error', text: failureText(error) });
    }
  };
  return (
    <form
      className={styles.form}
      aria-label="New meeting"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <Field label="Subject">
        <Input value={item.subject} onChange={(_e, d) => { edit({ subject: d.value }); }} />
      </Field>
      <Field label="Required attendees">
        <Input value={attendees} onChange={(_e, d) => { setAttendees(d.value); edit({ attendees: parsePeople(d.value).people }); }} />
      </Field>
      <Field label="Start">
        <Input type="datetime-local" value={localInput(item.start)} onChange={(_e, d) => { setTime('start', d.value); }} />
      </Field>
      <Field label="End">
        <Input type="datetime-local" value={localInput(item.end)} onChange={(_e, d) => { setTime('end', d.value); }} />
      </Field>
      <Field label="Location">
        <Input value={item.location} onChange={(_e, d) => { edit({ location: d.value }); }} />
      </Field>
      <Field label="Body (HTML)">
        <Textarea value={item.html} rows={6} resize="vertical" onChange={(_e, d) => { edit({ html: d.value }); }} />
      </Field>
      <div className={styles.actions}>
        <Button appearance="primary" type="submit" disabled={status.kind === 'busy'}>
          Send invite
        </Button>
      </div>
      <StatusBar status={status} />
    </form>
  );
}

function InboxView({ item, store, graph }: { item: PreviewItem | null; store: PreviewItemStore; graph: SandboxGraph }): React.JSX.Element {
  const styles = useStyles();
  const [messages, setMessages] = useState<ReadItem[] | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const load = useCallback(() => {
    setStatus({ kind: 'busy', text: 'Reading the Inbox…' });
    graph.inbox().then(
      (list) => {
        setMessages(list);
        setStatus({ kind: 'idle' });
      },
      (error: unknown) => {
        setStatus({ kind: 'error', text: failureText(error) });
      },
    );
  }, [graph]);
  useEffect(load, [load]);
  const open = item?.kind === 'message_read' ? item : null;

  return (
    <div className={styles.form}>
      <div className={styles.actions}>
        <Button onClick={load}>Refresh</Button>
        <StatusBar status={status} />
      </div>
      {messages?.length === 0 && <Text className={styles.muted}>The Inbox is empty.</Text>}
      {messages !== null && messages.length > 0 && (
        <ul className={styles.list} aria-label="Inbox">
          {messages.map((m) => (
            <li key={m.id}>
              <Button
                className={styles.message}
                appearance={open?.id === m.id ? 'primary' : 'subtle'}
                aria-pressed={open?.id === m.id}
                onClick={() => { store.replace(m); }}
              >
                {`${m.from?.name ?? 'Unknown sender'}: ${m.subject === '' ? '(no subject)' : m.subject}`}
              </Button>
            </li>
          ))}
        </ul>
      )}
      {open !== null && (
        <article aria-label="Open message">
          <Text as="p" weight="semibold">{open.subject}</Text>
          <Text as="p" size={200}>From: {open.from === null ? '' : formatPeople([open.from])}</Text>
          <Text as="p" size={200}>To: {formatPeople(open.to)}</Text>
          {open.cc.length > 0 && <Text as="p" size={200}>Cc: {formatPeople(open.cc)}</Text>}
          {/* A mail body is foreign HTML: an iframe with every sandbox restriction runs none of its script. */}
          <iframe className={styles.body} title="Message body" sandbox="" srcDoc={open.html} />
        </article>
      )}
    </div>
  );
}

type Tab = 'compose' | 'inbox' | 'meeting';

export function PreviewApp({ initialUser, signIn, graphFor, paneUrl, now = () => new Date(), host }: PreviewAppProps): React.JSX.Element {
  const styles = useStyles();
  const [user, setUser] = useState<PreviewUser | null>(initialUser);
  const [signing, setSigning] = useState<Status>({ kind: 'idle' });
  const [tab, setTab] = useState<Tab>('compose');
  const [theme, setTheme] = useState<ThemeName>('light');
  const store = useMemo(() => createItemStore(newMessage()), []);
  const item = useItem(store);
  // Each item opened gets fresh forms (a sent message's "Sent" does not carry over to the next one).
  const [generation, setGeneration] = useState(0);
  useEffect(
    () =>
      store.onReplaced(() => {
        setGeneration((g) => g + 1);
      }),
    [store],
  );
  const graph = useMemo(() => (user === null ? null : graphFor(user)), [user, graphFor]);

  // One emulated Office per user and theme; the pane's frame is reloaded with it (Outlook reopens the pane too).
  const office = useMemo(() => (user === null ? null : createEmulatedOffice({ store, user: { address: user.address, name: user.name, timeZone: user.timeZone }, theme })), [user, theme, store]);
  const target = host ?? (window as unknown as Record<string, unknown>);
  if (office !== null) target[sharedOfficeKey] = office;

  const doSignIn = async () => {
    setSigning({ kind: 'busy', text: 'Signing in…' });
    try {
      setUser(await signIn());
      setSigning({ kind: 'idle' });
      store.replace(newMessage());
      setTab('compose');
    } catch (error) {
      setSigning({ kind: 'error', text: failureText(error) });
    }
  };

  const chooseTab = (next: Tab) => {
    setTab(next);
    if (next === 'compose') store.replace(newMessage());
    else if (next === 'meeting') store.replace(newAppointment(now()));
    else store.replace(null);
  };

  return (
    <FluentProvider theme={webLightTheme}>
      <div className={styles.page}>
        <header className={styles.header}>
          <h1 className={styles.title}>Baton preview: Outlook, emulated against the sandbox</h1>
          {user !== null && <Text>{`Signed in as ${user.name} (${user.address})`}</Text>}
          <Button onClick={() => void doSignIn()} disabled={signing.kind === 'busy'}>
            {user === null ? 'Sign in as a sandbox user' : 'Switch user'}
          </Button>
          <RadioGroup layout="horizontal" aria-label="Office theme" value={theme} onChange={(_e, d) => { setTheme(d.value === 'dark' ? 'dark' : 'light'); }}>
            <Radio value="light" label="Light" />
            <Radio value="dark" label="Dark" />
          </RadioGroup>
        </header>
        <StatusBar status={signing} />
        {user === null || graph === null ? (
          <Text>
            Sign in as one of the sandbox&apos;s demo people (an SDR to hand a lead off, an AE to review it). The pane opens beside the
            message once you are signed in.
          </Text>
        ) : (
          <div className={styles.columns}>
            <main className={styles.item}>
              <TabList selectedValue={tab} onTabSelect={(_e, d) => { chooseTab(d.value as Tab); }} aria-label="Outlook item">
                <Tab value="compose">New message</Tab>
                <Tab value="inbox">Inbox</Tab>
                <Tab value="meeting">New meeting</Tab>
              </TabList>
              {item?.kind === 'message_compose' && <ComposeForm key={`${user.address}-${String(generation)}`} item={item} store={store} graph={graph} />}
              {tab === 'inbox' && item?.kind !== 'message_compose' && <InboxView item={item} store={store} graph={graph} />}
              {item?.kind === 'appointment_organizer' && <MeetingForm key={`${user.address}-${String(generation)}`} item={item} store={store} graph={graph} />}
            </main>
            <iframe key={`${user.address}-${theme}`} className={styles.pane} title="Baton task pane" src={paneUrl} />
          </div>
        )}
      </div>
    </FluentProvider>
  );
}
