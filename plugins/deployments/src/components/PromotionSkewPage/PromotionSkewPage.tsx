import { useCallback, useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { SkewFinding } from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import { downloadTextFile } from '../../format/download';
import { SkewFindingsTable } from '../PromotionSkewPanel/SkewFindingsTable';

const RANGES: Array<[string, number]> = [
  ['Last 7 days', 7],
  ['Last 30 days', 30],
  ['Last 90 days', 90],
  ['Last 365 days', 365],
];
const PAGE_SIZE = 100;

function sinceOf(days: number, now = Date.now()): string {
  return new Date(now - days * 24 * 3600 * 1000).toISOString();
}

/**
 * The portfolio's promotion skew: across every service the user may see,
 * deployments that skipped an environment or spent less than the minimum
 * soak in it, newest first, with a CSV download.
 */
export const PromotionSkewPage = () => {
  const api = useApi(deploymentsApiRef);
  const [days, setDays] = useState(30);
  const [since, setSince] = useState(() => sinceOf(30));
  const [findings, setFindings] = useState<SkewFinding[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | undefined>();
  const [downloadError, setDownloadError] = useState<string | undefined>();

  const load = useCallback(
    async (after?: string) => {
      if (!api.getPortfolioSkew) return;
      setLoading(true);
      setError(undefined);
      try {
        const page = await api.getPortfolioSkew({
          since,
          limit: PAGE_SIZE,
          cursor: after,
        });
        setFindings(current =>
          after ? [...current, ...page.findings] : page.findings,
        );
        setCursor(page.nextCursor);
      } catch (e) {
        setError(e as Error);
      } finally {
        setLoading(false);
      }
    },
    [api, since],
  );

  useEffect(() => {
    load();
  }, [load]);

  const download = async () => {
    setDownloadError(undefined);
    try {
      const csv = await api.getPortfolioSkewCsv!({ since });
      downloadTextFile(`promotion-skew-last-${days}-days.csv`, csv);
    } catch (e) {
      setDownloadError((e as Error).message);
    }
  };

  let body;
  if (!api.getPortfolioSkew) {
    body = (
      <Alert severity="info">
        This deployments client does not offer the promotion-skew audit.
      </Alert>
    );
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (loading && findings.length === 0) {
    body = <Progress />;
  } else if (findings.length === 0 && !cursor) {
    body = (
      <EmptyState
        missing="content"
        title="Every deployment passed the previous environment"
        description="No deployment in this range skipped an environment or spent less than the minimum soak in it."
      />
    );
  } else {
    body = (
      <>
        <SkewFindingsTable findings={findings} showEntity />
        {cursor && (
          <Button disabled={loading} onClick={() => load(cursor)}>
            {loading ? 'Loading…' : 'Load more'}
          </Button>
        )}
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Promotion skew"
        subtitle="Deployments that skipped an environment on the path, or spent less than the minimum soak in it"
      />
      <Content>
        <ContentHeader title="Findings across your services">
          <TextField
            select
            size="small"
            label="Range"
            value={days}
            onChange={event => {
              const value = Number(event.target.value);
              setDays(value);
              setSince(sinceOf(value));
            }}
          >
            {RANGES.map(([label, value]) => (
              <MenuItem key={value} value={value}>
                {label}
              </MenuItem>
            ))}
          </TextField>
          {api.getPortfolioSkewCsv && (
            <Button variant="outlined" onClick={download}>
              Download CSV
            </Button>
          )}
        </ContentHeader>
        {downloadError && (
          <Alert severity="error">
            The CSV could not be downloaded: {downloadError}
          </Alert>
        )}
        <Typography variant="body2" color="textSecondary" paragraph>
          A deployment counts when its version never succeeded in the
          environment before it on the service's promotion path, or succeeded
          there less than the minimum soak before it started.
        </Typography>
        {body}
      </Content>
    </Page>
  );
};
