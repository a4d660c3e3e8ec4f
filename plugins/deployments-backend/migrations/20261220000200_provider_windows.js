/*
 * Deployment windows that a provider's own schedule defines (a CodePipeline
 * DeploymentWindow entry condition), stored by sync beside the environment
 * protection they come with, so every replica shows them.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('provider_windows', table => {
    table.comment(
      'Deployment windows of environments as schedules of providers define them',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table.text('target_key').notNullable();
    table
      .string('environment', 64)
      .notNullable()
      .comment("The entity's environment name");
    table
      .string('window_id', 255)
      .notNullable()
      .comment("The provider's id of the window within the target");
    table.string('kind', 16).notNullable().comment('allow');
    table
      .string('cron', 255)
      .notNullable()
      .comment('The schedule as the provider writes it');
    table.string('time_zone', 64).notNullable();
    table.string('label', 64).notNullable().comment('e.g. CodePipeline');
    table.text('defined_at');
    table.text('url');
    table.timestamp('updated_at', { useTz: true }).notNullable();
    // Also serves the windows of an entity, and replacing one target's.
    table.primary(
      ['entity_ref', 'provider', 'target_key', 'environment', 'window_id'],
      'provider_windows_pk',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('provider_windows');
};
