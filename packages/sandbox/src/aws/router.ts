import { Router } from 'express';
import { AwsSimulation } from './cloud/AwsSimulation';
import { createCloudFormationRouter } from './services/cloudformation';
import { createCloudWatchRouter } from './services/cloudwatch';
import { createCodeDeployRouter } from './services/codedeploy';
import { createCodePipelineRouter } from './services/codepipeline';
import { createLambdaRouter } from './services/lambda';
import { createTaggingRouter } from './services/tagging';

/** The endpoint of each AWS stand-in, under `/aws` (an SDK client's `endpoint`). */
export const AWS_ENDPOINTS = {
  codepipeline: '/codepipeline',
  codedeploy: '/codedeploy',
  cloudformation: '/cloudformation',
  lambda: '/lambda',
  cloudwatch: '/cloudwatch',
  tagging: '/tagging',
  sns: '/sns',
} as const;

/**
 * The AWS APIs over the sandbox's account, each in the wire protocol its SDK
 * v3 client speaks. Any credentials are accepted; signatures are not checked.
 */
export function createAwsRouter(options: {
  aws: AwsSimulation;
  sns?: Router;
}): Router {
  const { cloud, engine } = options.aws;
  const router = Router();
  router.use(
    AWS_ENDPOINTS.codepipeline,
    createCodePipelineRouter({ cloud, engine }),
  );
  router.use(AWS_ENDPOINTS.codedeploy, createCodeDeployRouter({ cloud }));
  router.use(
    AWS_ENDPOINTS.cloudformation,
    createCloudFormationRouter({ cloud }),
  );
  router.use(AWS_ENDPOINTS.lambda, createLambdaRouter({ cloud }));
  router.use(AWS_ENDPOINTS.cloudwatch, createCloudWatchRouter({ cloud }));
  router.use(AWS_ENDPOINTS.tagging, createTaggingRouter({ cloud }));
  if (options.sns) router.use(AWS_ENDPOINTS.sns, options.sns);
  // Not the GitHub stand-in's HTML page: an AWS client gets an AWS-shaped 404.
  router.use((req, res) => {
    res
      .status(404)
      .set('x-amzn-ErrorType', 'UnknownOperationException')
      .json({
        __type: 'UnknownOperationException',
        message: `The sandbox serves no AWS operation at ${req.method} ${req.baseUrl}${req.path}`,
      });
  });
  return router;
}
