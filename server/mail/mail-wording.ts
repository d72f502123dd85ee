// The phrases of Baton's emails (greeting, sign-off, subject lines, sentences with `{placeholders}`), the defaults
// from server/settings/mail-wording.json with per-team overrides, validated with zod: unknown keys and placeholders
// a phrase does not offer are refused with the JSON path at fault. Imports: zod, the domain, the settings JSON.
import { z } from 'zod';
import type { Result } from '../domain/lead';
import type { FieldError } from '../domain/lead-validation';
import { zodFieldErrors } from '../domain/qualification';
import defaultWordingJson from '../settings/mail-wording.json';

const lead = ['contactName', 'company', 'aeName', 'sdrName'] as const;

/** Every phrase and the placeholders it may use; a placeholder outside its list is refused when the file is loaded. */
export const phrasePlaceholders = {
  greeting: ['name'],
  internalGreeting: ['name'],
  signOff: [],

  introSubject: lead,
  introOpening: lead,
  introContextHeading: lead,
  introNeeds: lead,
  introInterests: lead,
  introDemo: lead,
  introTimesHeading: lead,
  introTimes: lead,
  introClosing: lead,

  inviteSubject: lead,
  invitePurpose: lead,
  inviteAgendaHeading: lead,
  inviteAgenda1: lead,
  inviteAgenda2: lead,
  inviteAgendaDemo: lead,
  inviteAgenda3: lead,
  inviteAttendeesHeading: lead,
  inviteJoin: lead,

  briefSubject: lead,
  briefIntro: lead,
  briefMeeting: lead,

  reminderSubject: [...lead, 'dueAt'],
  reminderIntro: [...lead, 'dueAt'],
  reminderReply: [...lead, 'dueAt'],
  reminderAccept: [...lead, 'dueAt'],
  reminderOpenIntro: [...lead, 'dueAt'],

  breachSubject: [...lead, 'dueAt', 'managerName'],
  breachSecondSubject: [...lead, 'dueAt', 'managerName', 'previousManagerName'],
  breachIntro: [...lead, 'dueAt', 'managerName'],
  breachSecondIntro: [...lead, 'dueAt', 'managerName', 'previousManagerName'],
  breachMissedHeading: [...lead, 'dueAt', 'managerName'],
  breachMissedReply: [...lead, 'dueAt', 'managerName'],
  breachMissedAccept: [...lead, 'dueAt', 'managerName'],
  breachNextSteps: [...lead, 'dueAt', 'managerName'],

  handBackSubject: [...lead, 'reason'],
  handBackIntro: [...lead, 'reason'],
  handBackReason: [...lead, 'reason'],
  handBackComment: [...lead, 'reason'],

  declinedSubject: [...lead, 'responderName', 'meetingAt'],
  declinedIntro: [...lead, 'responderName', 'meetingAt'],
  newTimeSubject: [...lead, 'responderName', 'meetingAt'],
  newTimeIntro: [...lead, 'responderName', 'meetingAt'],
  responseComment: [...lead, 'responderName', 'meetingAt'],
  responseNextStep: [...lead, 'responderName', 'meetingAt'],

  hygieneSubject: [...lead, 'meetingAt'],
  hygieneConflict: [...lead, 'meetingAt'],
  hygieneMoved: [...lead, 'meetingAt', 'movedTo'],
  hygieneDeleted: [...lead, 'meetingAt'],
  hygienePrepOverlapped: [...lead, 'meetingAt'],
  hygienePrepDeleted: [...lead, 'meetingAt'],
  hygieneSlots: [...lead, 'meetingAt'],
  hygieneNoSlots: [...lead, 'meetingAt'],
} as const satisfies Record<string, readonly string[]>;

export type PhraseKey = keyof typeof phrasePlaceholders;
export type Phrases = Readonly<Record<PhraseKey, string>>;
/** The values a phrase's placeholders take. */
export type PhraseValues<K extends PhraseKey> = Readonly<Record<(typeof phrasePlaceholders)[K][number], string>>;

export interface MailWording {
  /** BCP 47 locale of dates and times, e.g. en-GB. */
  locale: string;
  phrases: Phrases;
  /** Per team id: the phrases (and locale) that differ from the defaults. */
  teams: Readonly<Record<string, { locale?: string; phrases: Partial<Phrases> }>>;
}

/** The wording one team's emails use: the defaults with that team's overrides. */
export interface TeamWording {
  locale: string;
  phrases: Phrases;
}

const phraseKeys = Object.keys(phrasePlaceholders) as PhraseKey[];
const placeholderPattern = /\{([^{}]*)\}/g;

const phraseText = z.string().trim().min(1).max(1000);
const localeSchema = z.string().refine(
  (locale) => {
    try {
      return Intl.DateTimeFormat.supportedLocalesOf([locale]).length === 1;
    } catch {
      return false;
    }
  },
  { message: 'must be a supported BCP 47 locale, e.g. en-GB' },
);

const fullPhrases = z.strictObject(Object.fromEntries(phraseKeys.map((k) => [k, phraseText])) as Record<PhraseKey, typeof phraseText>);
const partialPhrases = fullPhrases.partial();

/** Refuses a `{placeholder}` that the phrase does not offer, naming it and the ones it does. */
function checkPlaceholders(phrases: Partial<Record<string, string>>, ctx: z.RefinementCtx): void {
  for (const key of phraseKeys) {
    const text = phrases[key];
    if (text === undefined) continue;
    const allowed: readonly string[] = phrasePlaceholders[key];
    for (const match of text.matchAll(placeholderPattern)) {
      const name = match[1] ?? '';
      if (!allowed.includes(name)) {
        const offered = allowed.length === 0 ? 'none' : allowed.map((a) => `{${a}}`).join(', ');
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown placeholder {${name}}; this phrase offers ${offered}`,
          params: { code: 'unknown_placeholder' },
        });
      }
    }
  }
}

const wordingSchema = z.strictObject({
  locale: localeSchema,
  phrases: fullPhrases.superRefine(checkPlaceholders),
  teams: z
    .record(
      z.string().min(1),
      z.strictObject({ locale: localeSchema.optional(), phrases: partialPhrases.superRefine(checkPlaceholders) }),
    )
    .default({}),
});

/** Validates a mail wording document (the shape of server/settings/mail-wording.json). */
export function loadMailWording(json: unknown): Result<MailWording, FieldError[]> {
  const parsed = wordingSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: zodFieldErrors(parsed.error) };
  return { ok: true, value: parsed.data };
}

function loadDefault(): MailWording {
  const loaded = loadMailWording(defaultWordingJson);
  if (!loaded.ok) {
    // The shipped file is part of the code: a bad one is a bug, found by the tests.
    throw new Error(`server/settings/mail-wording.json: ${loaded.error.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  }
  return loaded.value;
}

/** The wording shipped in server/settings/mail-wording.json. */
export const defaultMailWording: MailWording = loadDefault();

/** The phrases of one team: the defaults with the team's overrides (none for a null or unknown team). */
export function wordingForTeam(wording: MailWording, teamId: string | null | undefined): TeamWording {
  const team = teamId == null ? undefined : wording.teams[teamId];
  if (team === undefined) return { locale: wording.locale, phrases: wording.phrases };
  return { locale: team.locale ?? wording.locale, phrases: { ...wording.phrases, ...team.phrases } };
}

/** Fills `{placeholders}` with plain (unescaped) values; escaping happens where the text lands. */
export function fillPhrase<K extends PhraseKey>(wording: TeamWording, key: K, values: PhraseValues<K>): string {
  const lookup = values as Readonly<Record<string, string>>;
  return wording.phrases[key].replace(placeholderPattern, (whole, name: string) => lookup[name] ?? whole);
}
