import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AuditResponse } from '@stagecraft/plugin-deployments-common';
import {
  ENTITY_REF,
  fakeDeploymentsApi,
  minutesAgo,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { AuditHistory } from './AuditHistory';

const page: AuditResponse = {
  entries: [
    {
      id: 'a-2',
      at: minutesAgo(5),
      entityRef: ENTITY_REF,
      action: 'approve',
      outcome: 'approved',
      actor: 'user:default/alice',
      providerIdentity: 'user-token:alice',
      environment: 'production',
      version: { sha: '77d01e40000', tag: 'v1.41.2' },
      comment: 'Canary looked fine',
    },
    {
      id: 'a-1',
      at: minutesAgo(30),
      entityRef: ENTITY_REF,
      action: 'promote',
      outcome: 'refused',
      actor: 'user:default/bob',
      environment: 'production',
      version: { sha: '77d01e40000', tag: 'v1.41.2' },
      detail: 'comment-required',
    },
  ],
  nextCursor: 'audit-2',
};

function renderAudit(methods: Parameters<typeof fakeDeploymentsApi>[0]) {
  return renderWithFakes(
    <AuditHistory
      entityRef={ENTITY_REF}
      environments={['dev', 'staging', 'production']}
    />,
    fakeDeploymentsApi(methods),
  );
}

describe('AuditHistory', () => {
  it('lists who did what, when, with the outcome and comment', async () => {
    await renderAudit({ getAudit: async () => page });
    const row = (await screen.findByText('Canary looked fine')).closest('tr')!;
    expect(within(row).getByText('approve')).toBeInTheDocument();
    expect(within(row).getByText('approved')).toBeInTheDocument();
    expect(within(row).getByText('user:default/alice')).toBeInTheDocument();
    expect(within(row).getByText('via user-token:alice')).toBeInTheDocument();
    expect(within(row).getByText('v1.41.2')).toBeInTheDocument();
    expect(screen.getByText('comment-required')).toBeInTheDocument();
  });

  it('sends the chosen filters to the API', async () => {
    const getAudit = jest.fn().mockResolvedValue(page);
    await renderAudit({ getAudit });
    await screen.findByText('Canary looked fine');

    await userEvent.selectOptions(
      screen.getByLabelText('Environment'),
      'production',
    );
    await userEvent.selectOptions(screen.getByLabelText('Action'), 'approve');
    await userEvent.selectOptions(screen.getByLabelText('Outcome'), 'refused');
    await userEvent.type(screen.getByLabelText('Who'), 'user:default/bob');

    await waitFor(() =>
      expect(getAudit).toHaveBeenLastCalledWith(ENTITY_REF, {
        environment: ['production'],
        action: ['approve'],
        outcome: ['refused'],
        actor: 'user:default/bob',
        since: undefined,
        limit: 25,
        cursor: undefined,
      }),
    );
  });

  it('pages with the cursor', async () => {
    const getAudit = jest
      .fn()
      .mockResolvedValueOnce(page)
      .mockResolvedValueOnce({
        entries: [{ ...page.entries[0], id: 'a-0', comment: 'Older entry' }],
      });
    await renderAudit({ getAudit });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Load more' }),
    );

    expect(await screen.findByText('Older entry')).toBeInTheDocument();
    expect(screen.getByText('Canary looked fine')).toBeInTheDocument();
    expect(getAudit).toHaveBeenLastCalledWith(
      ENTITY_REF,
      expect.objectContaining({ cursor: 'audit-2' }),
    );
  });

  it('exports the filtered log as a CSV download', async () => {
    const getAuditCsv = jest
      .fn()
      .mockResolvedValue('at,action,outcome\n2026-11-01,approve,approved\n');
    const createObjectURL = jest.fn(() => 'blob:audit');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: HTMLAnchorElement[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        clicked.push(this);
      });

    try {
      await renderAudit({ getAudit: async () => page, getAuditCsv });
      await screen.findByText('Canary looked fine');
      await userEvent.selectOptions(screen.getByLabelText('Action'), 'approve');
      await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));

      await waitFor(() => expect(clicked).toHaveLength(1));
      expect(getAuditCsv).toHaveBeenCalledWith(
        ENTITY_REF,
        expect.objectContaining({ action: ['approve'] }),
      );
      expect(clicked[0].download).toBe(
        'deployments-audit-component-default-payments-api.csv',
      );
      expect(clicked[0].href).toBe('blob:audit');
      const blob = (createObjectURL.mock.calls[0] as unknown[])[0] as Blob;
      expect(await blob.text()).toContain('approve,approved');
      expect(revokeObjectURL).toHaveBeenCalledWith('blob:audit');
    } finally {
      click.mockRestore();
    }
  });

  it('says why an export failed', async () => {
    await renderAudit({
      getAudit: async () => page,
      getAuditCsv: async () => {
        throw new Error('export limit exceeded');
      },
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Export CSV' }),
    );
    expect(
      await screen.findByText('Export failed: export limit exceeded'),
    ).toBeInTheDocument();
  });
});
