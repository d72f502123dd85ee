// Flags, once a day, the handed-off leads that have no future follow-up task: one note to each owner (after 08:00 on
// a weekday in the owner's zone), through the outbox under a key of owner and local date, so a day's note goes out
// once whatever the number of instances or runs. Imports: domain, store, mail, ./outbox-sender (types).
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import { renderMissingFollowups } from '../mail/followup-mails';
import type { FollowupStore } from '../store/followup-store';
import type { Executor } from '../store/handoff-watch-store';
import type { OutboxStore } from '../store/outbox-store';
import type { PeopleStore } from '../store/people-store';
import type { MailPayload } from './outbox-sender';

export function createFollowupFlagger(options: {
  db: Executor;
  followups: Pick<FollowupStore, 'leadsWithoutFutureFollowup'>;
  people: PeopleStore;
  outbox: OutboxStore;
  now: () => Date;
  logger: Logger;
}): { run(): Promise<number> } {
  return {
    async run() {
      const now = options.now();
      const leads = await options.followups.leadsWithoutFutureFollowup(null, now);
      const byOwner = new Map<string, typeof leads>();
      for (const l of leads) byOwner.set(l.ownerId, [...(byOwner.get(l.ownerId) ?? []), l]);
      let queued = 0;
      for (const [ownerId, list] of byOwner) {
        const owner = await options.people.getUser(ownerId);
        if (owner === undefined || !owner.active) continue;
        const local = DateTime.fromJSDate(now, { zone: owner.timeZone });
        if (local.weekday > 5 || local.hour < 8) continue;
        const mail = await renderMissingFollowups({ owner, leads: list });
        const payload: MailPayload = { to: [{ address: owner.email, name: owner.displayName }], subject: mail.subject, html: mail.html };
        queued += await options.outbox.add(options.db, [{ idempotencyKey: `followups:${ownerId}:${local.toISODate() ?? ''}`, handoffId: null, kind: 'mail', mailbox: owner.entraOid, payload }], now);
      }
      if (queued > 0) options.logger.info({ owners: queued }, 'owners told about leads without a follow-up');
      return queued;
    },
  };
}
