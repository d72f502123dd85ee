// The reminder and the breach email when the SLA clock was paused while the AE was away: a line saying for how long
// (in working time) and why, the AE's name escaped where it lands in HTML; nothing about a pause when there was none.
import { formatWorkingTime, renderAeReminder, renderBreachEmail } from '../../../server/mail/handoff-mails';
import { ae, dueAt, lead, manager, sdr } from './mail-fixtures';

const hour = 3_600_000;

describe('a paused SLA clock in the mails', () => {
  it('words working time', () => {
    expect([formatWorkingTime(45 * 60_000), formatWorkingTime(5 * hour), formatWorkingTime(2.5 * hour)]).toEqual(['45 min', '5 h', '2 h 30 min']);
  });

  it('the reminder says the clock was paused, for how long and why', async () => {
    const mail = await renderAeReminder({ lead, ae, sdr, missing: ['reply'], dueAt, timeZone: 'Europe/Berlin', paused: { workingMs: 13 * hour, reason: 'automatic_replies' } });
    expect(mail.text).toContain(`The SLA clock was paused for 13 h of working time while ${ae.displayName}'s automatic replies were on`);
    const plain = await renderAeReminder({ lead, ae, sdr, missing: ['reply'], dueAt, timeZone: 'Europe/Berlin' });
    expect(plain.text).not.toContain('paused');
  });

  it('the breach email shows the pause among the facts and in a sentence', async () => {
    const mail = await renderBreachEmail({ lead, ae, sdr, manager, level: 1, missed: ['accept'], dueAt, timeZone: 'Europe/London', paused: { workingMs: 8 * hour + 30 * 60_000, reason: 'automatic_replies' } });
    expect(mail.text).toContain('Clock paused: 8 h 30 min (automatic replies on)');
    expect(mail.text).toContain('The SLA clock was paused for 8 h 30 min of working time');
    const none = await renderBreachEmail({ lead, ae, sdr, manager, level: 1, missed: ['accept'], dueAt, timeZone: 'Europe/London', paused: { workingMs: 0, reason: 'automatic_replies' } });
    expect(none.text).not.toContain('paused');
  });

  it('escapes the AE name in the pause line', async () => {
    const evil = { ...ae, displayName: '<img src=x onerror=alert(1)>' };
    const mail = await renderBreachEmail({ lead, ae: evil, sdr, manager, level: 1, missed: ['reply'], dueAt, timeZone: 'UTC', paused: { workingMs: hour, reason: 'automatic_replies' } });
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
