import type { Config } from '@backstage/config';

/** The AWS services the provider calls, by their `deployments.aws.endpoints` key. */
export type AwsService =
  | 'codepipeline'
  | 'codedeploy'
  | 'cloudformation'
  | 'lambda'
  | 'cloudwatch'
  | 'tagging';

export const AWS_SERVICES: readonly AwsService[] = [
  'codepipeline',
  'codedeploy',
  'cloudformation',
  'lambda',
  'cloudwatch',
  'tagging',
];

/** `deployments.aws`, read once with its defaults. */
export interface AwsProviderSettings {
  defaultAccountId?: string;
  defaultRegion: string;
  consoleBaseUrl: string;
  maxAttempts: number;
  endpoints: Partial<Record<AwsService, string>>;
  stackTags: { entity: string; environment: string };
  sns: { topicArns: string[]; sandboxCertificateHost?: string };
  /** The entity environments in promotion order when an entity names none (`deployments.promotionPath`). */
  promotionPath: string[];
}

export const DEFAULT_PROMOTION_PATH = ['dev', 'staging', 'production'];

export function readAwsProviderSettings(config: Config): AwsProviderSettings {
  const aws = config.getOptionalConfig('deployments.aws');
  const endpoints: Partial<Record<AwsService, string>> = {};
  for (const service of AWS_SERVICES) {
    const url = aws?.getOptionalString(`endpoints.${service}`);
    if (url) endpoints[service] = url;
  }
  return {
    defaultAccountId: aws?.getOptionalString('defaultAccountId'),
    defaultRegion: aws?.getOptionalString('defaultRegion') ?? 'us-east-1',
    consoleBaseUrl:
      aws?.getOptionalString('consoleBaseUrl') ??
      'https://{region}.console.aws.amazon.com',
    maxAttempts: aws?.getOptionalNumber('maxAttempts') ?? 3,
    endpoints,
    stackTags: {
      entity:
        aws?.getOptionalString('stackTags.entity') ?? 'stagecraft.io/entity',
      environment:
        aws?.getOptionalString('stackTags.environment') ??
        'stagecraft.io/environment',
    },
    sns: {
      topicArns: aws?.getOptionalStringArray('sns.topicArns') ?? [],
      sandboxCertificateHost: aws?.getOptionalString(
        'sns.sandboxCertificateHost',
      ),
    },
    promotionPath: readPromotionPath(config),
  };
}

function readPromotionPath(config: Config): string[] {
  const value = config.getOptional('deployments.promotionPath');
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') {
    return value
      .split(',')
      .map(s => s.trim())
      .filter(Boolean);
  }
  return DEFAULT_PROMOTION_PATH;
}

/** The console URL of a path, e.g. `/codesuite/codepipeline/pipelines/x/view`. */
export function consoleUrl(
  settings: Pick<AwsProviderSettings, 'consoleBaseUrl'>,
  region: string,
  path: string,
): string {
  const base = settings.consoleBaseUrl
    .replace('{region}', region)
    .replace(/\/$/, '');
  const separator = path.includes('?') ? '&' : '?';
  return `${base}${path}${separator}region=${encodeURIComponent(region)}`;
}
