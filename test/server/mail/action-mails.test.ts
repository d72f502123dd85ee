// The mails of the one-click actions: the breach mail's and the reminder's links (names and URLs escaped, only http(s)
// links), the reassignment notice each of the three people gets, and the nudge.
import { renderAeReminder, renderBreachEmail, renderNudge, renderReassignNotice } from '../../../server/mail/handoff-mails';

const lead = { contactName: 'Ana <Souza>', companyName: 'Acme & Co' };
const ae = { displayName: 'Alex "AE"', email: 'alex@baton.example' };
const backup = { displayName: 'Avery <b>Backup</b>', email: 'avery@baton.example' };
const sdr = { displayName: 'Sam SDR', email: 'sam@baton.example' };
const manager = { displayName: 'Mia Manager', email: 'mia@baton.example' };
const dueAt = new Date('2026-11-24T16:00:00Z');
const href = 'https://baton.example.com/actions/eyJ2IjoxfQ.sig?x=1&y=2';

describe('action links in mails', () => {
  it('the breach mail lists every action as a link, label and URL escaped', async () => {
    const mail = await renderBreachEmail({
      lead, ae, sdr, manager, level: 1, missed: ['reply'], dueAt, timeZone: 'Europe/Berlin',
      actions: [
        { label: `Reassign to ${backup.displayName}`, href },
        { label: 'Give 4 more working hours', href: `${href}&n=4` },
        { label: `Nudge ${ae.displayName}`, href: 'javascript:alert(1)' },
      ],
    });
    expect(mail.html).toContain('href="https://baton.example.com/actions/eyJ2IjoxfQ.sig?x=1&amp;y=2"');
    expect(mail.html).toContain('Reassign to Avery &lt;b&gt;Backup&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>Backup</b>');
    expect(mail.html).toContain('Give 4 more working hours');
    // A link that is not http(s) is shown as text, never as a link.
    expect(mail.html).not.toContain('javascript:');
    expect(mail.html).toContain('Nudge Alex &quot;AE&quot;');
  });

  it('the reminder carries the hand-back link', async () => {
    const mail = await renderAeReminder({ lead, ae, sdr, missing: ['reply', 'accept'], dueAt, timeZone: 'Europe/Berlin', actions: [{ label: 'Hand the lead back', href }] });
    expect(mail.html).toContain('Hand the lead back');
    expect(mail.html).toContain('x=1&amp;y=2');
  });

  it('the reassignment notice tells each of the three what it means for them', async () => {
    const base = { lead, sdr, previousAe: ae, newAe: backup, by: manager, reason: 'AE out sick', meeting: { start: dueAt, end: new Date(dueAt.getTime() + 1_800_000) }, timeZone: 'Europe/Berlin' };
    const toNew = await renderReassignNotice({ ...base, recipient: backup, dueAt });
    const toOld = await renderReassignNotice({ ...base, recipient: ae });
    const toSdr = await renderReassignNotice({ ...base, recipient: sdr });
    expect(toNew.html).toContain('gave you the hand-off');
    expect(toNew.html).toContain('Reply to the intro and accept the invite by');
    expect(toOld.html).toContain('You no longer need to act on it');
    expect(toSdr.html).toContain('moved your hand-off');
    for (const m of [toNew, toOld, toSdr]) {
      expect(m.subject).toBe('Acme & Co: hand-off moved from Alex "AE" to Avery <b>Backup</b>');
      expect(m.html).not.toContain('<b>Backup</b>');
      expect(m.html).toContain('Ana &lt;Souza&gt;');
      expect(m.html).toContain('The meeting invite now names');
    }
  });

  it('the nudge names the manager and what is still open', async () => {
    const mail = await renderNudge({ lead, ae, sdr, manager, missing: ['accept'], dueAt, timeZone: 'Europe/Berlin' });
    expect(mail.subject).toBe('Reminder from Mia Manager: Acme & Co');
    expect(mail.html).toContain('Mia Manager asks you to follow up');
    expect(mail.text).toMatch(/accept/i);
  });
});
