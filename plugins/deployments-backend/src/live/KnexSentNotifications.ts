import type { Knex } from 'knex';

/** The kinds of notification the plugin sends, as named in config. */
export type NotificationKind = 'approvalNeeded' | 'decided' | 'failed';

/**
 * Remembers which notifications went out, one row per dedupe key, in the
 * plugin's database (table `sent_notifications`, created by the plugin's
 * migrations). A claim is taken before sending, so two replicas or two
 * overlapping syncs send once; a send that failed gives its claim back.
 */
export class KnexSentNotifications {
  constructor(private readonly db: Knex) {}

  /** True when this caller may send the notification: nobody claimed the key before. */
  async claim(
    key: string,
    kind: NotificationKind,
    entityRef: string,
  ): Promise<boolean> {
    const inserted = await this.db('sent_notifications')
      .insert({
        dedupe_key: key,
        kind,
        entity_ref: entityRef,
        sent_at: new Date(),
      })
      .onConflict('dedupe_key')
      .ignore()
      .returning('dedupe_key');
    return inserted.length > 0;
  }

  /** Gives a claim back (the send failed), so the next change may send it. */
  async release(key: string): Promise<void> {
    await this.db('sent_notifications').where({ dedupe_key: key }).delete();
  }
}
