// The daily note to a lead's owner listing the handed-off leads that have no future follow-up task (seed 004: every
// handed-off lead keeps a next step). Built on the same Outlook-safe layout as the hand-off mails; every name escaped
// by the layout. Imports: ./mail-layout.
import { renderMail, type Block, type RenderedMail } from './mail-layout';

export interface MissingFollowupsInput {
  owner: { displayName: string };
  leads: readonly { contactName: string; companyName: string; status: string }[];
  /** Where the owner adds a follow-up (Baton's lead page), when known. */
  link?: string | null;
  locale?: string;
}

export async function renderMissingFollowups(input: MissingFollowupsInput): Promise<RenderedMail> {
  const first = input.owner.displayName.split(/\s+/)[0] ?? input.owner.displayName;
  const n = input.leads.length;
  const blocks: Block[] = [
    { kind: 'paragraph', parts: [`Hi ${first},`] },
    {
      kind: 'paragraph',
      parts: [`${String(n)} of your handed-off ${n === 1 ? 'lead has' : 'leads have'} no follow-up planned. Give each a next step with a date, so none of them goes quiet:`],
    },
    { kind: 'list', items: input.leads.map((l) => [{ strong: l.companyName }, ` — ${l.contactName} (${l.status.replace(/_/g, ' ')})`]) },
  ];
  if (input.link) blocks.push({ kind: 'button', href: input.link, label: 'Plan the follow-ups' });
  blocks.push({ kind: 'note', text: 'Baton sends this note each working day while a handed-off lead has no future follow-up.' });
  return renderMail({ subject: `${String(n)} handed-off ${n === 1 ? 'lead needs' : 'leads need'} a follow-up`, locale: input.locale ?? 'en-GB', blocks });
}
