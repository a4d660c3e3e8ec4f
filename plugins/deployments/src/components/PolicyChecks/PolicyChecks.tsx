import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import { makeStyles } from '@material-ui/core/styles';
import CheckIcon from '@material-ui/icons/Check';
import CloseIcon from '@material-ui/icons/Close';
import type { PolicyCheck } from '@stagecraft/plugin-deployments-common';
import { onPaper } from '../../theme/contrast';

const useStyles = makeStyles(theme => ({
  // Icons: at least 3:1 against the dialog in both themes.
  passed: { color: onPaper(theme, theme.palette.success.main) },
  failed: { color: onPaper(theme, theme.palette.error.main) },
  rule: { fontFamily: 'monospace' },
}));

/** Each policy rule's verdict: the rule's name, passed or refused, and why. */
export const PolicyChecks = ({ checks }: { checks: PolicyCheck[] }) => {
  const classes = useStyles();
  // Refusals first: they are what the person has to act on.
  const ordered = [...checks].sort(
    (a, b) => Number(a.passed) - Number(b.passed),
  );
  return (
    <List dense aria-label="Policy checks">
      {ordered.map(check => (
        <ListItem key={check.rule} disableGutters>
          <ListItemIcon>
            {check.passed ? (
              <CheckIcon className={classes.passed} titleAccess="passed" />
            ) : (
              <CloseIcon className={classes.failed} titleAccess="refused" />
            )}
          </ListItemIcon>
          <ListItemText
            primary={
              <>
                <span className={classes.rule}>{check.rule}</span>:{' '}
                {check.passed ? 'passed' : 'refused'}
              </>
            }
            secondary={check.message}
          />
        </ListItem>
      ))}
    </List>
  );
};
