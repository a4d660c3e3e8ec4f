/*
 * Versions: when the artifact a version shows was reported, so that the
 * artifact of the earliest deployment naming one wins, whatever order the
 * reports arrive in (two replicas syncing the same provider in another
 * order used to show different artifacts for the same commit).
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('versions', table => {
    table
      .timestamp('artifact_seen_at', { useTz: true })
      .nullable()
      .comment(
        'Creation time of the earliest deployment that named the artifact',
      );
  });
  // What is stored was the best known: it counts as seen with the version.
  await knex('versions')
    .whereNotNull('artifact')
    .update({ artifact_seen_at: knex.ref('first_seen_at') });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('versions', table => {
    table.dropColumn('artifact_seen_at');
  });
};
