import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { SyncStatusBar } from './SyncStatusBar';

const now = new Date().toISOString();

describe('SyncStatusBar', () => {
  it('shows a provider with several targets once', async () => {
    await renderInTestApp(
      <SyncStatusBar
        onRefresh={() => {}}
        sync={[
          {
            provider: 'aws',
            target: 'payments-api-dev',
            stale: false,
            lastSuccessAt: now,
          },
          {
            provider: 'aws',
            target: 'payments-api-prod',
            stale: false,
            lastSuccessAt: now,
          },
          {
            provider: 'github',
            target: 'acme/payments-api',
            stale: false,
            lastSuccessAt: now,
          },
        ]}
      />,
    );
    expect(screen.getAllByText(/^aws /)).toHaveLength(1);
    expect(screen.getByText('aws (up to date)')).toBeInTheDocument();
    expect(screen.getByText('github (up to date)')).toBeInTheDocument();
  });

  it('counts the stale targets of a provider and names each in its warning', async () => {
    await renderInTestApp(
      <SyncStatusBar
        onRefresh={() => {}}
        sync={[
          {
            provider: 'aws',
            target: 'payments-api-dev',
            stale: false,
            lastSuccessAt: now,
          },
          {
            provider: 'aws',
            target: 'payments-api-prod',
            stale: true,
            lastSuccessAt: now,
            lastErrorAt: now,
            lastError: 'AWS answered ThrottlingException',
          },
        ]}
      />,
    );
    expect(screen.getByText('aws (1 of 2 stale)')).toBeInTheDocument();
    expect(
      screen.getByText(
        /Data from aws \(payments-api-prod\) may be out of date/,
      ),
    ).toHaveTextContent('failed: AWS answered ThrottlingException');
    expect(
      screen.queryByText(/payments-api-dev\) may be out of date/),
    ).toBeNull();
  });
});
