import { InfoCard } from '@backstage/core-components';
import { PendingApprovalsList } from '../PendingApprovalsList';

/** The approvals waiting for the signed-in user, as a card for a home page or dashboard. */
export const DeploymentApprovalsCard = (props: { title?: string }) => (
  <InfoCard title={props.title ?? 'Waiting for my approval'}>
    <PendingApprovalsList compact />
  </InfoCard>
);
