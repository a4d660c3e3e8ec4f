/*
 * Live updates: the notifications the plugin has sent, one row per
 * deduplication key (a gate, a decision, a deployment's failure), so that a
 * restart, a second replica or a replayed sync never sends one twice.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sent_notifications', table => {
    table.comment(
      'Notifications sent by the deployments plugin, by dedupe key',
    );
    table
      .string('dedupe_key', 512)
      .primary()
      .notNullable()
      .comment(
        'What the notification is about, e.g. approval-needed:<gate id>',
      );
    table
      .string('kind', 64)
      .notNullable()
      .comment('approvalNeeded, decided or failed');
    table.string('entity_ref', 255).notNullable();
    table.timestamp('sent_at', { useTz: true }).notNullable();
    table.index(['sent_at'], 'sent_notifications_sent_at_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('sent_notifications');
};
