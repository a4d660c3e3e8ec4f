import { formatRelativeTime } from '../../format/time';

/** A relative time ("14 minutes ago") with the exact time on hover and for machines. */
export const RelativeTime = ({ value }: { value: string }) => (
  <time dateTime={value} title={new Date(value).toLocaleString()}>
    {formatRelativeTime(value)}
  </time>
);
