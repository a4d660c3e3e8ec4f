import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  releaseEvidenceMarkdown,
  type AuditResponse,
  type ReleaseEvidence,
} from '@stagecraft/plugin-deployments-common';
import {
  ENTITY_REF,
  fakeDeploymentsApi,
  minutesAgo,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { AuditHistory } from '../AuditHistory';

const V2 = '77d01e4'.padEnd(40, '0');
const V1 = '1a2b3c4'.padEnd(40, '0');

const evidence: ReleaseEvidence = {
  schema: 'stagecraft.release-evidence/v1',
  id: '9',
  auditId: '42',
  requestId: 'req-1',
  entityRef: ENTITY_REF,
  action: 'approve',
  outcome: 'approved',
  environment: 'production',
  version: { sha: V2, tag: 'v1.41.2' },
  actor: 'user:default/alice',
  comment: 'Canary looked fine',
  recordedAt: '2026-12-01T10:00:00.000Z',
  checks: [
    {
      rule: 'permission',
      passed: true,
      message: 'deployments.approve is allowed',
    },
    {
      rule: 'no-self-approval',
      passed: true,
      message: 'bob asked, alice decides',
    },
  ],
  gate: {
    kind: 'portal',
    id: 'stagecraft:req-1',
    provider: 'stagecraft',
    environment: 'production',
    reviewers: [],
    rule: 'another person with deployments.approve',
    requestedBy: 'user:default/bob',
    decision: 'approved',
    decidedBy: 'user:default/alice',
  },
  changes: {
    status: 'available',
    from: { ref: 'production', sha: V1 },
    to: { ref: 'v1.41.2', sha: V2 },
    comparison: 'ahead',
    aheadBy: 2,
    behindBy: 0,
    totalCommits: 2,
    commits: [
      {
        sha: V2,
        message: 'Hotfix: null currency (#231)',
        author: 'Bob',
        authorLogin: 'bob',
        date: '2026-11-30T10:00:00Z',
        pullRequest: 231,
      },
      {
        sha: '3f9e1c0'.padEnd(40, '0'),
        message: 'Bump boto3 to 1.35',
        author: 'dependabot',
        date: '2026-11-29T10:00:00Z',
      },
    ],
    pullRequests: [
      {
        number: 231,
        title: 'Hotfix: null currency',
        author: 'bob',
        url: 'https://github.com/acme/payments-api/pull/231',
        commits: [V2],
      },
    ],
    truncated: false,
    hash: {
      algorithm: 'sha256',
      canonicalization: 'stagecraft-change-set/v1',
      value: 'e'.repeat(64),
    },
  },
};

const page: AuditResponse = {
  entries: [
    {
      id: '42',
      at: minutesAgo(5),
      entityRef: ENTITY_REF,
      action: 'approve',
      outcome: 'approved',
      actor: 'user:default/alice',
      environment: 'production',
      version: { sha: V2, tag: 'v1.41.2' },
      comment: 'Canary looked fine',
      evidenceId: '9',
    },
    {
      id: '41',
      at: minutesAgo(30),
      entityRef: ENTITY_REF,
      action: 'promote',
      outcome: 'refused',
      actor: 'user:default/bob',
      environment: 'production',
      version: { sha: V2, tag: 'v1.41.2' },
      detail: 'comment-required',
    },
  ],
};

function renderAudit(methods: Parameters<typeof fakeDeploymentsApi>[0]) {
  return renderWithFakes(
    <AuditHistory
      entityRef={ENTITY_REF}
      environments={['dev', 'staging', 'production']}
    />,
    fakeDeploymentsApi({ getAudit: async () => page, ...methods }),
  );
}

describe('Release evidence in the audit history', () => {
  it('offers the evidence of an entry that recorded some, and none on a row without', async () => {
    await renderAudit({ getReleaseEvidence: async () => evidence });
    const approved = (await screen.findByText('Canary looked fine')).closest(
      'tr',
    )!;
    expect(
      within(approved).getByRole('button', {
        name: 'Evidence of approve v1.41.2 to production',
      }),
    ).toBeInTheDocument();
    const refused = screen.getByText('comment-required').closest('tr')!;
    expect(
      within(refused).queryByRole('button', { name: /evidence/i }),
    ).not.toBeInTheDocument();
  });

  it('shows what the release shipped: checks, gate, pull requests, commits and hash', async () => {
    const getReleaseEvidence = jest.fn().mockResolvedValue(evidence);
    await renderAudit({ getReleaseEvidence });
    await userEvent.click(
      await screen.findByRole('button', { name: /^Evidence of approve/ }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(getReleaseEvidence).toHaveBeenCalledWith(ENTITY_REF, '42');
    await within(dialog).findByText(
      'Release evidence: approve v1.41.2 to production',
    );
    expect(within(dialog).getByText('no-self-approval')).toBeInTheDocument();
    expect(
      within(dialog).getByText('bob asked, alice decides'),
    ).toBeInTheDocument();
    expect(within(dialog).getByText('user:default/bob')).toBeInTheDocument();
    const pulls = within(dialog).getByRole('table', { name: 'Pull requests' });
    expect(within(pulls).getByRole('link', { name: /^#231/ })).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/pull/231',
    );
    expect(
      within(pulls).getByText('Hotfix: null currency'),
    ).toBeInTheDocument();
    const commits = within(dialog).getByRole('table', { name: 'Commits' });
    expect(within(commits).getByText('77d01e4')).toBeInTheDocument();
    expect(within(commits).getByText('Bump boto3 to 1.35')).toBeInTheDocument();
    expect(within(dialog).getByText('e'.repeat(64))).toBeInTheDocument();
  });

  it('says why the changes are unavailable', async () => {
    await renderAudit({
      getReleaseEvidence: async () => ({
        ...evidence,
        changes: {
          status: 'unavailable',
          to: { ref: 'v1.41.2', sha: V2 },
          reason: 'the change source could not be asked: GitHub is down',
        },
      }),
    });
    await userEvent.click(
      await screen.findByRole('button', { name: /^Evidence of approve/ }),
    );
    expect(
      await screen.findByText(
        'Changes unavailable: the change source could not be asked: GitHub is down',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText('Change-set hash')).not.toBeInTheDocument();
  });

  it('downloads the evidence as JSON and as Markdown', async () => {
    const createObjectURL = jest.fn(() => 'blob:evidence');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: HTMLAnchorElement[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        clicked.push(this);
      });
    try {
      await renderAudit({ getReleaseEvidence: async () => evidence });
      await userEvent.click(
        await screen.findByRole('button', { name: /^Evidence of approve/ }),
      );
      const dialog = await screen.findByRole('dialog');
      await within(dialog).findByText('e'.repeat(64));

      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Download JSON' }),
      );
      await userEvent.click(
        within(dialog).getByRole('button', { name: 'Download Markdown' }),
      );
      await waitFor(() => expect(clicked).toHaveLength(2));
      expect(clicked.map(a => a.download)).toEqual([
        'release-evidence-payments-api-production-77d01e4-42.json',
        'release-evidence-payments-api-production-77d01e4-42.md',
      ]);
      const [json, markdown] = (
        createObjectURL.mock.calls as unknown as Blob[][]
      ).map(([blob]) => blob);
      expect(json.type).toBe('application/json;charset=utf-8');
      expect(JSON.parse(await json.text())).toEqual(evidence);
      expect(markdown.type).toBe('text/markdown;charset=utf-8');
      expect(await markdown.text()).toBe(releaseEvidenceMarkdown(evidence));
      expect(await markdown.text()).toContain(
        '| [#231](<https://github.com/acme/payments-api/pull/231>) | Hotfix: null currency | bob | 1 |',
      );
    } finally {
      click.mockRestore();
    }
  });

  it('shows no control when the client cannot fetch evidence', async () => {
    await renderAudit({});
    await screen.findByText('Canary looked fine');
    expect(
      screen.queryByRole('button', { name: /evidence/i }),
    ).not.toBeInTheDocument();
  });
});
