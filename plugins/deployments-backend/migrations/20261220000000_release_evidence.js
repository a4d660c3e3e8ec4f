/*
 * Release evidence: what each accepted promotion, roll back, approval and
 * rejection shipped (or refused to ship), recorded when the portal accepted
 * it and linked to its audit entry. Append-only like the audit log; one
 * record per audit entry and per caller's Idempotency-Key, so a retried
 * request never records twice.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('release_evidence', table => {
    table.comment(
      'Append-only release evidence of portal actions, one per audit entry',
    );
    table.increments('id');
    table
      .integer('audit_id')
      .notNullable()
      .comment('The audit_log entry the evidence belongs to');
    table.string('request_id', 36).comment('The promotion request, if any');
    table.string('entity_ref', 255).notNullable();
    table.string('action', 32).notNullable();
    table.string('outcome', 32).notNullable();
    table.string('environment', 64).notNullable();
    table.string('sha', 255).notNullable();
    table.string('actor', 255).notNullable();
    table
      .string('idempotency_key', 200)
      .comment("The caller's Idempotency-Key of the action");
    table.timestamp('recorded_at', { useTz: true }).notNullable();
    table
      .string('changes_status', 16)
      .notNullable()
      .comment('available or unavailable');
    table
      .string('changes_hash', 64)
      .comment('SHA-256 of the canonical change set, when available');
    table
      .text('document')
      .notNullable()
      .comment('The evidence as JSON (ReleaseEvidence without its id)');
    table.unique(['audit_id'], { indexName: 'release_evidence_audit_uq' });
    table.unique(['actor', 'idempotency_key'], {
      indexName: 'release_evidence_idempotency_uq',
    });
    table.index(['entity_ref', 'recorded_at'], 'release_evidence_entity_idx');
    table.index(['request_id'], 'release_evidence_request_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('release_evidence');
};
