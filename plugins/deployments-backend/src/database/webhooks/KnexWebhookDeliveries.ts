import { Knex } from 'knex';

/** Webhook deliveries seen, so a provider's redelivery of the same one is dropped. */
export class KnexWebhookDeliveries {
  constructor(private readonly db: Knex) {}

  /** False when the delivery was seen before (a duplicate to drop). */
  async recordWebhookDelivery(
    provider: string,
    deliveryKey: string,
  ): Promise<boolean> {
    const rows = await this.db('webhook_deliveries')
      .insert({
        provider,
        delivery_key: deliveryKey,
        received_at: new Date(),
      })
      .onConflict(['provider', 'delivery_key'])
      .ignore()
      .returning(['delivery_key']);
    return rows.length > 0;
  }

  async forgetWebhookDelivery(
    provider: string,
    deliveryKey: string,
  ): Promise<void> {
    await this.db('webhook_deliveries')
      .where({ provider, delivery_key: deliveryKey })
      .delete();
  }
}
