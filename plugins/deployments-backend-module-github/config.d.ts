export interface Config {
  deployments?: {
    /** Settings of the GitHub deployments provider. */
    github?: {
      /**
       * Secret of the repository or organisation webhook that sends deployment
       * events to `/api/deployments/webhooks/github`.
       * @visibility secret
       */
      webhookSecret?: string;
    };
  };
}
