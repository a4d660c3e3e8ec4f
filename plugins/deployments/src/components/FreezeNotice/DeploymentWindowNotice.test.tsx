import { render, screen } from '@testing-library/react';
import type { EnvironmentDeploymentWindow } from '@stagecraft/plugin-deployments-common';
import { DeploymentWindowNotice } from './DeploymentWindowNotice';

const weekdays: EnvironmentDeploymentWindow = {
  provider: 'aws',
  label: 'CodePipeline',
  allowed: 'Mon–Fri 09:00–17:00 Europe/Berlin',
  timeZone: 'Europe/Berlin',
  open: false,
  until: '2026-12-07T08:00:00.000Z',
};

/** Saturday 5 December 2026. */
const SATURDAY = new Date('2026-12-05T11:00:00Z');

describe('DeploymentWindowNotice', () => {
  it('says when the provider lets deploys in again, outside its window', () => {
    render(
      <DeploymentWindowNotice
        window={weekdays}
        environment="production"
        now={SATURDAY}
        timeZone="Europe/Berlin"
      />,
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      'Outside the CodePipeline deployment window until Mon 09:00: deploys into production allowed only Mon–Fri 09:00–17:00 Europe/Berlin (CodePipeline)',
    );
    expect(screen.getByText('Mon 09:00')).toHaveAttribute(
      'datetime',
      weekdays.until,
    );
  });

  it('names the window while it is open', () => {
    render(
      <DeploymentWindowNotice
        window={{ ...weekdays, open: true, until: '2026-12-07T16:00:00.000Z' }}
        environment="production"
      />,
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      'Deploys allowed only Mon–Fri 09:00–17:00 Europe/Berlin (CodePipeline)',
    );
    expect(screen.getByRole('status')).not.toHaveTextContent('Outside');
  });
});
