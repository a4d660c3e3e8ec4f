import express from 'express';
import Router from 'express-promise-router';
import type {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  releaseEvidenceFileName,
  releaseEvidenceMarkdown,
  type ReleaseEvidence,
} from '@stagecraft/plugin-deployments-common';
import { z } from 'zod';
import type { DeploymentStore } from '../database/DeploymentStore';
import { parseAuditId } from '../database/evidence/KnexReleaseEvidence';
import { parseInput } from '../entities/parseInput';
import type { EntityInView, EntityParams } from '../entities/visibleEntity';

const evidenceQuerySchema = z
  .object({ format: z.enum(['json', 'markdown']).optional() })
  .strict();

/**
 * `GET /entities/:kind/:namespace/:name/audit/:auditId/evidence`: one
 * release's evidence, as JSON or (`?format=markdown`, or
 * `Accept: text/markdown`) as a Markdown summary. Whoever may read the
 * entity's audit log may read it: the entity as the caller may see it,
 * 404 otherwise.
 */
export function createEvidenceRouter(options: {
  store: DeploymentStore;
  httpAuth: HttpAuthService;
  entityInView(
    params: EntityParams,
    credentials: BackstageCredentials,
  ): Promise<EntityInView>;
}): express.Router {
  const { store, httpAuth, entityInView } = options;
  const router = Router();

  router.get(
    '/entities/:kind/:namespace/:name/audit/:auditId/evidence',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req);
      const query = parseInput(
        evidenceQuerySchema,
        req.query,
        'evidence query',
      );
      const auditId = String(parseAuditId(req.params.auditId));
      const { entityRef } = await entityInView(req.params, credentials);
      const evidence: ReleaseEvidence | undefined =
        await store.getReleaseEvidence(entityRef, auditId);
      if (!evidence) {
        throw new NotFoundError(
          `No release evidence for audit entry ${auditId} of ${entityRef}: evidence is recorded for accepted promotions, roll backs, approvals and rejections`,
        );
      }
      const format =
        query.format ??
        (req.accepts(['application/json', 'text/markdown']) === 'text/markdown'
          ? 'markdown'
          : 'json');
      res.setHeader('Vary', 'Accept');
      if (format === 'markdown') {
        res
          .status(200)
          .type('text/markdown; charset=utf-8')
          .setHeader(
            'Content-Disposition',
            `inline; filename="${releaseEvidenceFileName(evidence, 'md')}"`,
          );
        res.send(releaseEvidenceMarkdown(evidence));
        return;
      }
      res.json(evidence);
    },
  );

  return router;
}
