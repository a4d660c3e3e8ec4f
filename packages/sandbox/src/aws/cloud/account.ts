import { SeededRandom } from '../../random';

/** The sandbox's AWS account and region (the account id of AWS's own documentation examples). */
export const ACCOUNT_ID = '123456789012';
export const REGION = 'eu-west-1';

/** The stack tags that bind a stack to a catalog entity and an environment. */
export const ENTITY_TAG = 'stagecraft.io/entity';
export const ENVIRONMENT_TAG = 'stagecraft.io/environment';

export function arn(service: string, resource: string): string {
  return `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;
}

/** A random (version 4 shaped) UUID from the seeded generator. */
export function uuid(random: SeededRandom): string {
  const hex = random.sha() + random.sha();
  const variant = '89ab'[random.int(0, 3)];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(
    13,
    16,
  )}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The suffix CloudFormation appends to the physical names it generates. */
export function physicalSuffix(random: SeededRandom, length = 12): string {
  let out = '';
  for (let i = 0; i < length; i++)
    out += UPPER[random.int(0, UPPER.length - 1)];
  return out;
}

/** A CodeDeploy deployment id: `d-` and nine upper-case letters and digits. */
export function deploymentId(random: SeededRandom): string {
  return `d-${physicalSuffix(random, 9)}`;
}
