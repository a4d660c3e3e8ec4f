import { useState } from 'react';
import Grid from '@material-ui/core/Grid';
import { useApi } from '@backstage/core-plugin-api';
import type {
  Deployment,
  EnvironmentSummary,
  PendingGate,
} from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import { useCurrentUserRef } from '../../hooks/useCurrentUser';
import type { ActionPermissions } from '@stagecraft/plugin-deployments-common';
import {
  DeploymentPermissions,
  permissionsFrom,
  useDeploymentPermissions,
} from '../../hooks/useDeploymentPermissions';
import { AbortDialog, abortMethodOf } from '../AbortDialog';
import { Decision, DecisionDialog } from '../DecisionDialog';
import { EnvironmentLane } from '../EnvironmentLane';
import { PromoteDialog } from '../PromoteDialog';
import { RollbackDialog } from '../RollbackDialog';

type OpenDialog =
  | {
      kind: 'promote';
      source: EnvironmentSummary;
      target: EnvironmentSummary;
    }
  | { kind: 'decide'; gate: PendingGate; decision: Decision }
  | { kind: 'rollback'; environment: EnvironmentSummary }
  | {
      kind: 'abort';
      environment: EnvironmentSummary;
      deployment: Deployment;
    };

export interface EnvironmentLanesProps {
  entityRef: string;
  /** In promotion order. */
  environments: EnvironmentSummary[];
  /** Called after an action went through, to reload what changed. */
  onActionDone: () => void;
  onCompare?: (from: string, to: string) => void;
  /**
   * The caller's permissions as the environments route answered them; without
   * them the lanes ask the permission framework themselves.
   */
  permissions?: ActionPermissions;
}

const Lanes = (
  props: Omit<EnvironmentLanesProps, 'permissions'> & {
    permissions: DeploymentPermissions;
  },
) => {
  const { entityRef, environments, permissions } = props;
  const userEntityRef = useCurrentUserRef();
  const canAbort = Boolean(abortMethodOf(useApi(deploymentsApiRef)));
  const [dialog, setDialog] = useState<OpenDialog>();
  const close = () => setDialog(undefined);
  const width = environments.length >= 3 ? 4 : 6;

  return (
    <>
      <Grid container spacing={2} alignItems="stretch">
        {environments.map((environment, index) => (
          <Grid item xs={12} md={width} key={environment.name}>
            <EnvironmentLane
              entityRef={entityRef}
              environment={environment}
              previous={environments[index - 1]}
              next={environments[index + 1]}
              permissions={permissions}
              userEntityRef={userEntityRef}
              onPromote={(source, target) =>
                setDialog({ kind: 'promote', source, target })
              }
              onDecide={(_, gate, decision) =>
                setDialog({ kind: 'decide', gate, decision })
              }
              onRollback={env =>
                setDialog({ kind: 'rollback', environment: env })
              }
              onAbort={
                canAbort
                  ? (env, deployment) =>
                      setDialog({ kind: 'abort', environment: env, deployment })
                  : undefined
              }
              onCompare={props.onCompare}
            />
          </Grid>
        ))}
      </Grid>
      {dialog?.kind === 'promote' && (
        <PromoteDialog
          entityRef={entityRef}
          source={dialog.source}
          target={dialog.target}
          overridePermission={permissions.override}
          onClose={close}
          onDone={props.onActionDone}
        />
      )}
      {dialog?.kind === 'decide' && (
        <DecisionDialog
          gate={dialog.gate}
          decision={dialog.decision}
          onClose={close}
          onDone={props.onActionDone}
        />
      )}
      {dialog?.kind === 'rollback' && (
        <RollbackDialog
          entityRef={entityRef}
          environment={dialog.environment}
          onClose={close}
          onDone={props.onActionDone}
        />
      )}
      {dialog?.kind === 'abort' && (
        <AbortDialog
          entityRef={entityRef}
          environment={dialog.environment}
          deployment={dialog.deployment}
          onClose={close}
          onDone={props.onActionDone}
        />
      )}
    </>
  );
};

const LanesAskingForPermissions = (props: EnvironmentLanesProps) => (
  <Lanes {...props} permissions={useDeploymentPermissions(props.entityRef)} />
);

/** The lanes side by side, in promotion order, and the dialogs their actions open. */
export const EnvironmentLanes = (props: EnvironmentLanesProps) =>
  props.permissions ? (
    <Lanes {...props} permissions={permissionsFrom(props.permissions)} />
  ) : (
    <LanesAskingForPermissions {...props} />
  );
