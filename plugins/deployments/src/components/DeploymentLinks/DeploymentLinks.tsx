import { Fragment } from 'react';
import { Link } from '@backstage/core-components';
import type { DeploymentLink } from '@stagecraft/plugin-deployments-common';

export interface DeploymentLinksProps {
  /** Where the deployment's own provider shows it. */
  url?: string;
  /** What `url` opens (`run #812`); without it the link is just "deployment". */
  urlLabel?: string;
  /** The same rollout as other providers reported it. */
  links?: DeploymentLink[];
}

/** What a link to another provider's report of the rollout is called. */
export function otherProviderLabel(link: DeploymentLink): string {
  return link.label
    ? `${link.provider}: ${link.label}`
    : `${link.provider} ${link.providerDeploymentId}`;
}

/**
 * The links to a deployment, each labelled by what it opens: never a raw
 * deployment id dressed up as a run, since a GitHub deployment id is not a
 * workflow run number.
 */
export const DeploymentLinks = (props: DeploymentLinksProps) => {
  const items = [];
  if (props.url) {
    items.push(
      <Link key="own" to={props.url}>
        {props.urlLabel ?? 'deployment'}
      </Link>,
    );
  }
  for (const link of props.links ?? []) {
    const label = otherProviderLabel(link);
    items.push(
      link.url ? (
        <Link
          key={`${link.provider}:${link.providerDeploymentId}`}
          to={link.url}
        >
          {label}
        </Link>
      ) : (
        <span key={`${link.provider}:${link.providerDeploymentId}`}>
          {label}
        </span>
      ),
    );
  }
  return (
    <>
      {items.map((item, index) => (
        <Fragment key={item.key}>
          {index > 0 && ' · '}
          {item}
        </Fragment>
      ))}
    </>
  );
};
