import type {
  EvidenceCommit,
  EvidencePullRequest,
  ReleaseChanges,
  ReleaseEvidence,
} from './types';

/**
 * The canonical serialisation of a change set that its hash covers
 * (`stagecraft-change-set/v1`): JSON without whitespace of
 * `{"commits": […], "pullRequests": […]}`, commits sorted by SHA, pull
 * requests by number and each one's commits by SHA, every object's keys
 * sorted, absent fields left out. The same as
 * `jq -jcS '{commits: (.commits | sort_by(.sha)), pullRequests: (.pullRequests | map(.commits |= sort) | sort_by(.number))}'`
 * over the evidence's `changes`.
 *
 * @public
 */
export function canonicalChangeSet(changes: {
  commits: EvidenceCommit[];
  pullRequests: EvidencePullRequest[];
}): string {
  const commits = [...changes.commits].sort((a, b) => compare(a.sha, b.sha));
  const pullRequests = changes.pullRequests
    .map(pull => ({ ...pull, commits: [...pull.commits].sort(compare) }))
    .sort((a, b) => a.number - b.number);
  return canonicalJson({ commits, pullRequests });
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compare(a, b));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * A file name for one release's evidence, e.g.
 * `release-evidence-payments-api-production-77d01e4-42.md`.
 *
 * @public
 */
export function releaseEvidenceFileName(
  evidence: Pick<
    ReleaseEvidence,
    'entityRef' | 'environment' | 'version' | 'auditId'
  >,
  extension: 'json' | 'md',
): string {
  const name = evidence.entityRef.split('/').pop() ?? evidence.entityRef;
  const version = evidence.version.commitUnknown
    ? evidence.version.artifact?.id ?? 'artifact'
    : evidence.version.sha.slice(0, 7);
  const stem = [
    'release-evidence',
    name,
    evidence.environment,
    version,
    evidence.auditId,
  ]
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${stem}.${extension}`;
}

/** Text from people and providers, safe in a Markdown line or table cell: no markup, no HTML, one line. */
function md(text: string | number | undefined): string {
  if (text === undefined || text === '') return '—';
  return String(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|~&]/g, char => `\\${char}`);
}

function code(text: string): string {
  // A code span never holds a backtick here: SHAs, ids and refs have none.
  return `\`${text.replace(/`/g, "'")}\``;
}

function link(label: string, url: string | undefined): string {
  if (!url || !/^https?:\/\//i.test(url)) return label;
  return `[${label}](<${url.replace(/[<>\s]/g, encodeURIComponent)}>)`;
}

function versionText(evidence: ReleaseEvidence): string {
  const { version } = evidence;
  const parts: string[] = [];
  if (version.tag) parts.push(md(version.tag));
  if (version.commitUnknown) {
    parts.push('commit unknown');
  } else {
    parts.push(code(version.sha));
  }
  if (version.artifact) {
    parts.push(`${md(version.artifact.kind)} ${code(version.artifact.id)}`);
  }
  return parts.join(' · ');
}

function table(headers: string[], rows: string[][]): string[] {
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map(row => `| ${row.join(' | ')} |`),
  ];
}

function changesSection(changes: ReleaseChanges): string[] {
  const lines = ['## Changes', ''];
  if (changes.status === 'unavailable') {
    lines.push(
      `**Changes unavailable.** ${md(changes.reason)}`,
      '',
      `Version: ${code(changes.to.sha)}${
        changes.from
          ? `; ${md(changes.from.ref)} ran ${code(changes.from.sha)}`
          : ''
      }.`,
      '',
    );
    return lines;
  }
  const { from, to } = changes;
  lines.push(
    `From ${md(from.ref)} (${code(from.sha)}) to ${md(to.ref)} (${code(
      to.sha,
    )}): ${changes.aheadBy} ahead, ${changes.behindBy} behind (${
      changes.comparison
    }). ${changes.totalCommits} commit${
      changes.totalCommits === 1 ? '' : 's'
    }, ${changes.pullRequests.length} pull request${
      changes.pullRequests.length === 1 ? '' : 's'
    }.${changes.url ? ` ${link('Compare', changes.url)}` : ''}`,
    '',
  );
  if (changes.truncated) {
    lines.push(
      `The source control listed ${changes.commits.length} of ${changes.totalCommits} commits; the list and the hash cover those.`,
      '',
    );
  }
  lines.push('### Pull requests', '');
  if (changes.pullRequests.length === 0) {
    lines.push('None.', '');
  } else {
    lines.push(
      ...table(
        ['#', 'Title', 'Author', 'Commits'],
        changes.pullRequests.map(pull => [
          link(`#${pull.number}`, pull.url),
          md(pull.title),
          md(pull.author),
          String(pull.commits.length),
        ]),
      ),
      '',
    );
  }
  lines.push('### Commits', '');
  if (changes.commits.length === 0) {
    lines.push('None.', '');
  } else {
    lines.push(
      ...table(
        ['SHA', 'Message', 'Author', 'Date', 'Pull request'],
        changes.commits.map(commit => [
          link(code(commit.sha.slice(0, 12)), commit.url),
          md(commit.message),
          md(commit.authorLogin ?? commit.author),
          md(commit.date),
          commit.pullRequest ? `#${commit.pullRequest}` : '—',
        ]),
      ),
      '',
    );
  }
  return lines;
}

function hashSection(evidence: ReleaseEvidence): string[] {
  const { changes } = evidence;
  if (changes.status !== 'available') {
    return [
      '## Change-set hash',
      '',
      'None: the change set is unavailable.',
      '',
    ];
  }
  return [
    '## Change-set hash',
    '',
    `SHA-256 (${changes.hash.canonicalization}): ${code(changes.hash.value)}`,
    '',
    "To verify, download this release's evidence as JSON and hash its change set in canonical form (keys sorted, no whitespace, commits by SHA, pull requests by number):",
    '',
    '```sh',
    "jq -jcS '.changes | {commits: (.commits | sort_by(.sha)), pullRequests: (.pullRequests | map(.commits |= sort) | sort_by(.number))}' evidence.json | sha256sum",
    '```',
    '',
    'The digest printed must equal the one above.',
    '',
  ];
}

/**
 * One release's evidence as a Markdown summary a reviewer can read: who did
 * what and when, the policy checks, the gate and its reviewers, the pull
 * requests and commits, and the change-set hash with how to verify it.
 *
 * @public
 */
export function releaseEvidenceMarkdown(evidence: ReleaseEvidence): string {
  const name = evidence.entityRef.split('/').pop() ?? evidence.entityRef;
  const { gate } = evidence;
  const lines: string[] = [
    `# Release evidence: ${md(name)} ${evidence.action} to ${md(
      evidence.environment,
    )}`,
    '',
    ...table(
      ['Field', 'Value'],
      [
        ['Entity', md(evidence.entityRef)],
        ['Action', `${evidence.action} (${evidence.outcome})`],
        ['Environment', md(evidence.environment)],
        ['Version', versionText(evidence)],
        ['Who', md(evidence.actor)],
        ...(evidence.providerIdentity
          ? [['Provider identity', md(evidence.providerIdentity)]]
          : []),
        ['When', md(evidence.recordedAt)],
        ['Comment', md(evidence.comment)],
        ['Audit entry', md(evidence.auditId)],
        ...(evidence.requestId
          ? [['Promotion request', md(evidence.requestId)]]
          : []),
      ],
    ),
    '',
    '## Policy checks',
    '',
  ];
  if (evidence.checks.length === 0) {
    lines.push('None recorded.', '');
  } else {
    lines.push(
      ...table(
        ['Rule', 'Verdict', 'Message'],
        evidence.checks.map(check => [
          md(check.rule),
          check.passed ? 'passed' : '**refused**',
          md(check.message),
        ]),
      ),
      '',
    );
  }
  lines.push('## Gate', '');
  if (gate.kind === 'none') {
    lines.push(`No gate: ${md(gate.rule)}.`, '');
  } else {
    lines.push(
      ...table(
        ['Field', 'Value'],
        [
          ['Gate', gate.id ? code(gate.id) : '—'],
          ['Kind', gate.kind],
          ['Provider', md(gate.provider)],
          ['Environment', md(gate.environment)],
          [
            'Reviewers',
            gate.reviewers.length
              ? gate.reviewers
                  .map(reviewer => `${md(reviewer.name)} (${reviewer.type})`)
                  .join(', ')
              : '—',
          ],
          ['Who may decide', md(gate.rule)],
          ['Requested by', md(gate.requestedBy)],
          ...(gate.requestedAt ? [['Requested at', md(gate.requestedAt)]] : []),
          ['Decision', gate.decision ?? 'not decided yet'],
          ...(gate.decidedBy ? [['Decided by', md(gate.decidedBy)]] : []),
          ...(gate.decidedAt ? [['Decided at', md(gate.decidedAt)]] : []),
          ...(gate.decisionComment
            ? [['Decision comment', md(gate.decisionComment)]]
            : []),
        ],
      ),
      '',
    );
  }
  lines.push(...changesSection(evidence.changes), ...hashSection(evidence));
  lines.push(`Evidence ${md(evidence.id)} · ${evidence.schema}`, '');
  return lines.join('\n');
}
