// The mail layout: MJML renders a layout once and each mail fills its own texts into it. Two mails of one layout keep
// their own texts, in their places, escaped; a text that looks like a layout's marker stays as written; texts MJML
// trims or drops when empty (the preview) come out as if MJML had rendered the mail itself.
import { renderMail, type Block } from '../../../server/mail/mail-layout';

function blocks(name: string, reason: string): Block[] {
  return [
    { kind: 'paragraph', parts: ['Hello ', { strong: name }, ','] },
    { kind: 'facts', rows: [['Lead', `${name} <CEO>`]] },
    { kind: 'quote', text: reason },
    { kind: 'button', href: `https://baton.example.com/actions/${name}`, label: `Open ${name}` },
  ];
}

describe('renderMail', () => {
  it('fills each mail of one layout with its own texts, escaped, in their places', async () => {
    const a = await renderMail({ subject: 'For Ada', locale: 'en-GB', blocks: blocks('Ada', 'first\nsecond') });
    const b = await renderMail({ subject: 'For Bo & Co', locale: 'en-GB', blocks: blocks('Bo', 'other') });
    expect(a.html).toContain('<title>For Ada</title>');
    expect(a.html).toContain('<strong>Ada</strong>');
    expect(a.html).toContain('Ada &lt;CEO&gt;');
    expect(a.html).toContain('first<br />second');
    expect(a.html).toContain('href="https://baton.example.com/actions/Ada"');
    expect(a.html).not.toContain('Bo');
    expect(b.html).toContain('<title>For Bo &amp; Co</title>');
    expect(b.html).toContain('<strong>Bo</strong>');
    expect(b.html).not.toContain('Ada');
    expect(b.html).not.toMatch(/@@baton-fill-/);
    // The same layout: the two documents differ only where their texts are.
    const skeleton = (html: string, ...texts: string[]): string => texts.reduce((h, t) => h.split(t).join('#'), html);
    expect(skeleton(a.html, 'For Ada', 'Ada', 'first<br />second')).toBe(skeleton(b.html, 'For Bo &amp; Co', 'Bo', 'other'));
  });

  it('keeps a text that looks like a marker as written', async () => {
    const mail = await renderMail({ subject: '@@baton-fill-0@@', locale: 'en-GB', blocks: [{ kind: 'paragraph', parts: ['@@baton-fill-1@@ and $& $1'] }] });
    expect(mail.html).toContain('<title>@@baton-fill-0@@</title>');
    expect(mail.html).toContain('@@baton-fill-1@@ and $&amp; $1');
  });

  it('trims texts and leaves out an empty preview, as MJML does', async () => {
    const mail = await renderMail({ subject: 'Subject', preview: '  ', locale: 'en-GB', blocks: [{ kind: 'note', text: '  small print  ' }] });
    expect(mail.html).toContain('>small print</div>');
    expect(mail.html).not.toContain('display:none;font-size:1px');
    const previewed = await renderMail({ subject: 'Subject', preview: 'Seen first', locale: 'en-GB', blocks: [{ kind: 'note', text: 'x' }] });
    expect(previewed.html).toMatch(/display:none;font-size:1px[^>]*>Seen first<\/div>/);
  });
});
