import { formatDuration, formatRelativeTime } from './time';

describe('formatRelativeTime', () => {
  const now = new Date('2026-11-02T12:00:00Z');

  it('names the largest whole unit in the past', () => {
    expect(formatRelativeTime('2026-11-02T11:46:00Z', now)).toBe(
      '14 minutes ago',
    );
    expect(formatRelativeTime('2026-10-30T12:00:00Z', now)).toBe('3 days ago');
  });

  it('says "just now" for the last few seconds', () => {
    expect(formatRelativeTime('2026-11-02T11:59:55Z', now)).toBe('just now');
  });

  it('does not invent a time for an unreadable date', () => {
    expect(formatRelativeTime('not a date', now)).toBe('unknown time');
  });
});

describe('formatDuration', () => {
  it('keeps the two largest units', () => {
    expect(formatDuration(58 * 60)).toBe('58 min');
    expect(formatDuration(2 * 3600 + 5 * 60 + 7)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86400 + 4 * 3600 + 60)).toBe('3 d 4 h');
    expect(formatDuration(42)).toBe('42 s');
  });

  it('skips an empty second unit', () => {
    expect(formatDuration(3600 + 12)).toBe('1 h');
  });
});
