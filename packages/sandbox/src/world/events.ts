import {
  DeploymentRecord,
  DeploymentStatusRecord,
  JobRecord,
  RepositoryRecord,
  ReviewRecord,
  RunRecord,
} from './model';

/** Something that happened in the world, which GitHub would announce by webhook. */
export type WorldEvent =
  | {
      kind: 'deployment';
      repository: RepositoryRecord;
      deployment: DeploymentRecord;
      run?: RunRecord;
      sender: string;
    }
  | {
      kind: 'deployment_status';
      repository: RepositoryRecord;
      deployment: DeploymentRecord;
      status: DeploymentStatusRecord;
      run?: RunRecord;
      sender: string;
    }
  | {
      kind: 'deployment_review';
      action: 'requested' | 'approved' | 'rejected';
      repository: RepositoryRecord;
      run: RunRecord;
      job: JobRecord;
      review?: ReviewRecord;
      sender: string;
    }
  | {
      kind: 'workflow_run';
      action: 'requested' | 'in_progress' | 'completed';
      repository: RepositoryRecord;
      run: RunRecord;
      sender: string;
    }
  | {
      kind: 'workflow_job';
      action: 'queued' | 'in_progress' | 'completed' | 'waiting';
      repository: RepositoryRecord;
      run: RunRecord;
      job: JobRecord;
      deployment?: DeploymentRecord;
      sender: string;
    };

export type WorldListener = (event: WorldEvent) => void;
