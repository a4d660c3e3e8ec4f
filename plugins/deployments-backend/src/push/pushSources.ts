import type { Config } from '@backstage/config';
import type { DeploymentProvider } from '@stagecraft/plugin-deployments-node';
import { DECLARATIONS_PROVIDER } from '../sources/EntitySources';
import { PushDeploymentProvider } from './PushDeploymentProvider';

/** One system allowed to push deployment events, from `deployments.push.sources`. */
export interface PushSource {
  /** The provider id its deployments are stored and shown under, e.g. `jenkins`. */
  id: string;
  /** The `subject` of its Backstage external access token. */
  subject: string;
  /** The source's environment names mapped to the entities' (e.g. `prod` to `production`). */
  environmentNames?: Record<string, string>;
}

const SOURCE_ID = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * Reads `deployments.push.sources`. Throws at startup, naming the key, when a
 * source is malformed or two sources share an id or a subject.
 */
export function readPushSources(config: Config): PushSource[] {
  const sources: PushSource[] = [];
  const entries =
    config.getOptionalConfigArray('deployments.push.sources') ?? [];
  entries.forEach((entry, index) => {
    const where = `deployments.push.sources[${index}]`;
    const id = entry.getString('id');
    if (!SOURCE_ID.test(id) || id === DECLARATIONS_PROVIDER) {
      throw new Error(
        `Invalid ${where}.id '${id}': use lowercase letters, digits and dashes, starting with a letter${
          id === DECLARATIONS_PROVIDER
            ? ` (and not '${id}', which is reserved)`
            : ''
        }`,
      );
    }
    const subject = entry.getString('subject').trim();
    if (!subject || /\s/.test(subject)) {
      throw new Error(
        `Invalid ${where}.subject: the subject of the source's external access token, without spaces`,
      );
    }
    for (const known of sources) {
      if (known.id === id) {
        throw new Error(`Duplicate push source id '${id}' at ${where}.id`);
      }
      if (known.subject === subject) {
        throw new Error(
          `Push sources '${known.id}' and '${id}' share the subject '${subject}' (${where}.subject): give each source its own token and subject`,
        );
      }
    }
    const names = entry.getOptionalConfig('environmentNames');
    const environmentNames = names
      ? Object.fromEntries(
          names.keys().map(key => [key, names.getString(key)] as const),
        )
      : undefined;
    sources.push({
      id,
      subject,
      ...(environmentNames ? { environmentNames } : {}),
    });
  });
  return sources;
}

/**
 * Creates a provider for each configured push source and adds it to the
 * plugin's providers, so that sync, ownership and the ledger treat it like
 * any other provider. Throws when a source's id is already a provider's.
 */
export function addPushProviders(
  config: Config,
  providers: Map<string, DeploymentProvider>,
): PushDeploymentProvider[] {
  return readPushSources(config).map(source => {
    if (providers.has(source.id)) {
      throw new Error(
        `Push source '${source.id}' (deployments.push.sources) has the id of an installed deployment provider; choose another id`,
      );
    }
    const provider = new PushDeploymentProvider(source);
    providers.set(provider.id, provider);
    return provider;
  });
}
