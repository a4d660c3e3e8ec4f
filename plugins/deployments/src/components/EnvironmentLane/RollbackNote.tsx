import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ReplayIcon from '@material-ui/icons/Replay';
import type {
  Deployment,
  RollbackInfo,
} from '@stagecraft/plugin-deployments-common';
import { rollbackSentence } from '../../format/rollback';
import { versionLabel } from '../../format/version';

const useStyles = makeStyles(theme => ({
  line: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(0.5),
    marginTop: theme.spacing(1),
  },
  icon: { color: theme.palette.warning.main },
  strong: { fontWeight: 600 },
  muted: { color: theme.palette.text.secondary },
}));

const capitalised = (text: string) =>
  text.charAt(0).toUpperCase() + text.slice(1);

export interface RollbackNoteProps {
  rollback: RollbackInfo;
  /** The attempt that was rolled back, when what runs now came back through it. */
  rolledBack?: Deployment;
  current?: Deployment;
}

/**
 * A rollback on the lane. When what runs now came back through it, the lane
 * says so first ("Running v1.40.0 after a rollback") and then why; otherwise
 * it is one line under the attempt it rolled back.
 */
export const RollbackNote = ({
  rollback,
  rolledBack,
  current,
}: RollbackNoteProps) => {
  const classes = useStyles();
  const sentence = rollbackSentence(rollback);
  if (!rolledBack || !current) {
    return (
      <Typography variant="body2" className={classes.muted}>
        {capitalised(sentence)}
      </Typography>
    );
  }
  return (
    <div className={classes.line} role="group" aria-label="Rollback">
      <ReplayIcon
        fontSize="small"
        className={classes.icon}
        aria-hidden="true"
      />
      <div>
        <Typography variant="body2" className={classes.strong}>
          Running {versionLabel(current.version)} after a rollback
        </Typography>
        <Typography variant="body2" className={classes.muted}>
          {versionLabel(rolledBack.version)}: {sentence}
        </Typography>
      </div>
    </div>
  );
};
