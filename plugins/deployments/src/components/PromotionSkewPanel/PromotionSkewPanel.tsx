import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { deploymentsApiRef } from '../../api';
import { SkewFindingsTable } from './SkewFindingsTable';

/**
 * The entity's promotion-skew findings: deployments whose version skipped
 * the environment before, or spent less than the minimum soak there.
 */
export const PromotionSkewPanel = (props: { entityRef?: string }) => {
  const { entity } = useEntity();
  const entityRef = props.entityRef ?? stringifyEntityRef(entity);
  const api = useApi(deploymentsApiRef);
  const { value, loading, error, retry } = useAsyncRetry(async () => {
    if (!api.getSkew) return undefined;
    return api.getSkew(entityRef, { limit: 50 });
  }, [api, entityRef]);

  if (!api.getSkew) return null;
  let body;
  if (loading && !value) body = <Progress />;
  else if (error) body = <ResponseErrorPanel error={error} />;
  else if (!value || value.findings.length === 0) {
    body = (
      <Typography variant="body2" color="textSecondary">
        Every deployment passed the previous environment
      </Typography>
    );
  } else {
    body = (
      <>
        <SkewFindingsTable findings={value.findings} />
        {value.nextCursor && (
          <Typography variant="caption" color="textSecondary">
            The 50 newest findings; the portfolio page and its CSV list all.
          </Typography>
        )}
      </>
    );
  }
  return (
    <InfoCard
      title="Promotion skew"
      subheader="Deployments that skipped, or barely soaked in, the environment before"
      action={
        <Button size="small" onClick={retry}>
          Refresh
        </Button>
      }
    >
      {body}
    </InfoCard>
  );
};
