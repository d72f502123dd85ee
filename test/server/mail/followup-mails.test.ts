// The daily missing-follow-up note: lists each lead by company and contact, escapes them, and has a plain-text part.
import { renderMissingFollowups } from '../../../server/mail/followup-mails';

describe('missing follow-ups note', () => {
  it('lists the leads, escaped, with a subject that counts them', async () => {
    const mail = await renderMissingFollowups({
      owner: { displayName: 'Sofia Keller' },
      leads: [
        { contactName: 'Ana Souza', companyName: '<script>alert(1)</script> GmbH', status: 'suspect' },
        { contactName: '"><img src=x onerror=alert(1)>', companyName: 'Acme & Co', status: 'handed_back' },
      ],
    });
    expect(mail.subject).toBe('2 handed-off leads need a follow-up');
    expect(mail.html).not.toMatch(/<script|<img/i);
    expect(mail.html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; GmbH');
    expect(mail.html).toContain('Acme &amp; Co');
    expect(mail.text).toContain('Hi Sofia,');
    expect(mail.text).toContain('Acme & Co — "><img src=x onerror=alert(1)> (handed back)');
    expect(mail.text).not.toMatch(/<(p|div|table|td)\b/);
  });
});
