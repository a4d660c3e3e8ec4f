/** The "since" choices offered by the timeline and audit filters. */
export const SINCE_CHOICES = [
  { label: 'Any time', days: undefined },
  { label: 'Last 24 hours', days: 1 },
  { label: 'Last 7 days', days: 7 },
  { label: 'Last 30 days', days: 30 },
  { label: 'Last 90 days', days: 90 },
] as const;

/** The ISO time `days` ago, at the start of the minute (stable across renders). */
export function sinceDaysAgo(
  days: number | undefined,
  now: Date = new Date(),
): string | undefined {
  if (days === undefined) return undefined;
  const at = new Date(now.getTime() - days * 86400_000);
  at.setUTCSeconds(0, 0);
  return at.toISOString();
}
