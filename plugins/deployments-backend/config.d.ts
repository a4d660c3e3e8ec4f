export interface Config {
  /** Configuration of the Stagecraft deployments plugin. */
  deployments?: {
    /**
     * Default promotion path, in order. An entity overrides it with the
     * `stagecraft.io/promotion-path` annotation (comma-separated).
     * @default ["dev", "staging", "production"]
     */
    promotionPath?: string[];
  };
}
