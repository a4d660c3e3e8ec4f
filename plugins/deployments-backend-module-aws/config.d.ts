export interface Config {
  deployments?: {
    /**
     * Settings of the AWS deployments provider. Credentials are not set here:
     * they come from the standard `aws:` block of `@backstage/integration-aws-node`
     * (main account, accounts by id with `roleName` / `externalId`, `accountDefaults`).
     */
    aws?: {
      /** Account of entities that name no account (`stagecraft.io/aws-account-id`) and no ARN. */
      defaultAccountId?: string;
      /** Region of entities that name no region (`stagecraft.io/aws-region`) and no ARN. Default `us-east-1`. */
      defaultRegion?: string;
      /**
       * Where the "open in AWS" links point, with `{region}` replaced by the
       * resource's region. Default `https://{region}.console.aws.amazon.com`.
       */
      consoleBaseUrl?: string;
      /** Attempts per AWS call, including the first (adaptive retry mode). Default 3. */
      maxAttempts?: number;
      /**
       * Endpoint override per service, e.g. the Stagecraft sandbox or LocalStack
       * (`http://localhost:4566`). Unset services use the real AWS endpoints.
       */
      endpoints?: {
        codepipeline?: string;
        codedeploy?: string;
        cloudformation?: string;
        lambda?: string;
        cloudwatch?: string;
        /** The Resource Groups Tagging API. */
        tagging?: string;
      };
      /** Tag keys that find an entity's stacks when its `stagecraft.io/aws-stacks` annotation is `tags`. */
      stackTags?: {
        /** Tag whose value is the entity's name or full ref. Default `stagecraft.io/entity`. */
        entity?: string;
        /** Tag whose value is the Stagecraft environment the stack serves. Default `stagecraft.io/environment`. */
        environment?: string;
      };
      /** EventBridge events delivered by an SNS HTTPS subscription to `/api/deployments/webhooks/aws`. */
      sns?: {
        /** Topics whose subscriptions are confirmed and whose notifications are accepted; every other topic is refused. */
        topicArns?: string[];
        /**
         * FOR THE STAGECRAFT SANDBOX AND TESTS ONLY. An extra host (e.g.
         * `localhost:7008`) allowed to serve the SNS signing certificate and
         * the subscribe URL, over http or https. Never set it in production:
         * whoever serves certificates from that host can forge notifications.
         */
        sandboxCertificateHost?: string;
      };
    };
  };
}
