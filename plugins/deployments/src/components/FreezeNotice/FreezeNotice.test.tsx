import { render, screen } from '@testing-library/react';
import type { EnvironmentFreeze } from '@stagecraft/plugin-deployments-common';
import { FreezeNotice, formatFreezeEnd } from './FreezeNotice';

const weekend: EnvironmentFreeze = {
  name: 'weekend',
  reason: 'Weekend freeze',
  timeZone: 'Europe/Berlin',
  since: '2026-12-04T16:00:00.000Z',
  until: '2026-12-07T08:00:00.000Z',
};

/** Saturday 5 December 2026. */
const SATURDAY = new Date('2026-12-05T11:00:00Z');

describe('FreezeNotice', () => {
  it('says until when and why the environment is frozen', () => {
    render(
      <FreezeNotice freeze={weekend} now={SATURDAY} timeZone="Europe/Berlin" />,
    );
    const notice = screen.getByRole('status');
    expect(notice).toHaveTextContent('Frozen until Mon 09:00 (Weekend freeze)');
    // The hover gives the end in the window's own zone (ICU words the date).
    expect(notice.title).toMatch(
      /^Freeze window weekend: promotions, approvals and roll backs are refused until .*7 December 2026 at 09:00 \(Europe\/Berlin\), unless overridden with a reason$/,
    );
    expect(screen.getByText('Mon 09:00')).toHaveAttribute(
      'datetime',
      weekend.until,
    );
  });

  it("shows the end in the viewer's time zone", () => {
    render(
      <FreezeNotice
        freeze={weekend}
        now={SATURDAY}
        timeZone="America/New_York"
      />,
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      'Frozen until Mon 03:00 (Weekend freeze)',
    );
  });
});

describe('formatFreezeEnd', () => {
  it('adds the date to an end more than six days away', () => {
    expect(
      formatFreezeEnd('2027-01-04T08:00:00.000Z', {
        now: SATURDAY,
        timeZone: 'Europe/Berlin',
      }),
    ).toBe('Mon 4 Jan, 09:00');
  });
});
