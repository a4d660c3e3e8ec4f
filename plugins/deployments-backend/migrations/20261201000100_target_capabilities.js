/*
 * Provider model v2, second step: a target may support only some of its
 * provider's capabilities (an AWS stack can abort a rollout but not start
 * one; its pipeline can), and a gate may carry the provider's summary of
 * what waits (a CodePipeline approval's custom data).
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('provider_targets', table => {
    table
      .text('capabilities')
      .nullable()
      .comment(
        "JSON array of the provider's capabilities this target supports; null: all of them",
      );
  });
  await knex.schema.alterTable('provider_gates', table => {
    table
      .text('summary')
      .nullable()
      .comment("What waits, in the provider's words");
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('provider_gates', table => {
    table.dropColumn('summary');
  });
  await knex.schema.alterTable('provider_targets', table => {
    table.dropColumn('capabilities');
  });
};
