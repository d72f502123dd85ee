// Loading the mail wording: the shipped file is valid; unknown keys, empty phrases, bad locales and placeholders a
// phrase does not offer are refused with the JSON path at fault and the placeholder named.
import fs from 'node:fs';
import path from 'node:path';
import { defaultMailWording, loadMailWording, wordingForTeam, fillPhrase, phrasePlaceholders } from '../../../server/mail/mail-wording';

const shipped: unknown = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../server/settings/mail-wording.json'), 'utf8'));

function errorsOf(json: unknown): { field: string; code: string; message: string }[] {
  const result = loadMailWording(json);
  if (result.ok) throw new Error('expected the wording to be refused');
  return result.error;
}

describe('loadMailWording', () => {
  it('accepts the shipped file, with every phrase', () => {
    const result = loadMailWording(shipped);
    expect(result.ok).toBe(true);
    expect(Object.keys(defaultMailWording.phrases).sort()).toEqual(Object.keys(phrasePlaceholders).sort());
  });

  it('refuses a placeholder that does not exist, naming it and the path', () => {
    const errors = errorsOf({ ...defaultMailWording, teams: { emea: { phrases: { reminderSubject: 'Due {dueAt} for {budget}' } } } });
    expect(errors).toEqual([
      expect.objectContaining({ field: 'teams.emea.phrases.reminderSubject', code: 'unknown_placeholder', message: expect.stringContaining('{budget}') as unknown }),
    ]);
    expect(errors[0]?.message).toContain('{dueAt}');
  });

  it('refuses a placeholder in a default phrase too, and one that another phrase offers', () => {
    const errors = errorsOf({ ...defaultMailWording, phrases: { ...defaultMailWording.phrases, introSubject: 'Intro due {dueAt}' } });
    expect(errors.map((e) => e.field)).toEqual(['phrases.introSubject']);
    expect(errors[0]?.message).toContain('{dueAt}');
  });

  it.each<[string, unknown, string]>([
    ['an unknown phrase', { ...defaultMailWording, teams: { t1: { phrases: { greting: 'Hi' } } } }, 'teams.t1.phrases.greting'],
    ['a missing default phrase', { ...defaultMailWording, phrases: { ...defaultMailWording.phrases, signOff: undefined } }, 'phrases.signOff'],
    ['an empty phrase', { ...defaultMailWording, phrases: { ...defaultMailWording.phrases, greeting: '  ' } }, 'phrases.greeting'],
    ['a bad locale', { ...defaultMailWording, locale: 'not a locale!' }, 'locale'],
    ['a bad team locale', { ...defaultMailWording, teams: { t1: { locale: 42, phrases: {} } } }, 'teams.t1.locale'],
    ['an unknown top-level key', { ...defaultMailWording, colour: 'blue' }, 'colour'],
  ])('refuses %s', (_name, json, field) => {
    expect(errorsOf(json).map((e) => e.field)).toContain(field);
  });
});

describe('wordingForTeam and fillPhrase', () => {
  it('falls back to the defaults for a null or unknown team, and fills placeholders once', () => {
    const w = wordingForTeam(defaultMailWording, null);
    expect(fillPhrase(w, 'greeting', { name: '{name}' })).toBe('Dear {name},');
    expect(wordingForTeam(defaultMailWording, 'nobody').phrases.greeting).toBe('Dear {name},');
  });
});
