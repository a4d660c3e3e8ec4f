import Typography from '@material-ui/core/Typography';
import { Progress } from '@backstage/core-components';
import { useDiff } from '../../hooks/useDiff';
import { errorMessage } from '../ActionDialog/actionErrors';
import { ChangeList } from '../ChangeList';

/** The changes an action would ship, for a dialog: compact, never blocking the action. */
export const ChangePreview = (props: {
  entityRef: string;
  from: string;
  to: string;
}) => {
  const { value, loading, error } = useDiff(
    props.entityRef,
    props.from,
    props.to,
  );
  if (loading) return <Progress />;
  if (error) {
    return (
      <Typography variant="body2" color="textSecondary">
        The changes could not be loaded ({errorMessage(error)}); the action
        itself does not depend on them.
      </Typography>
    );
  }
  return value ? <ChangeList diff={value} maxFiles={10} /> : null;
};
