import { Content, Header, Page } from '@backstage/core-components';
import { PendingApprovalsList } from '../PendingApprovalsList';

/** "Waiting for my approval": every pending gate the signed-in user may decide. */
export const DeploymentApprovalsPage = () => (
  <Page themeId="tool">
    <Header
      title="Waiting for my approval"
      subtitle="Deployments held at a gate that you may approve or reject"
    />
    <Content>
      <PendingApprovalsList />
    </Content>
  </Page>
);
