import { useState, useId } from 'react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import type { Version } from '@stagecraft/plugin-deployments-common';
import { useDiff } from '../../hooks/useDiff';
import { versionLabel, versionRef } from '../../format/version';
import { errorMessage } from '../ActionDialog/actionErrors';
import { ChangeList } from '../ChangeList';
import { environmentWithoutSuccess } from './diffErrors';

const useStyles = makeStyles(theme => ({
  picker: { minWidth: 200, marginRight: theme.spacing(2) },
}));

export interface ChangeDiffViewProps {
  entityRef: string;
  /** Environment names in promotion order. */
  environments: string[];
  /** Versions worth offering for comparison (e.g. those running somewhere). */
  versions?: Version[];
  /**
   * The side that lacks the changes (e.g. production). Read once: to move the
   * comparison from outside, remount the view with a new `key`.
   */
  from?: string;
  /** The side that has them (e.g. staging). */
  to?: string;
}

const RefPicker = (props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  environments: string[];
  versions: Version[];
}) => {
  const classes = useStyles();
  const fieldId = useId();
  return (
    <TextField
      select
      id={fieldId}
      label={props.label}
      value={props.value}
      onChange={event => props.onChange(event.target.value)}
      SelectProps={{ native: true }}
      InputLabelProps={{ shrink: true }}
      className={classes.picker}
      variant="outlined"
      size="small"
    >
      <optgroup label="Environments">
        {props.environments.map(name => (
          <option key={`env-${name}`} value={name}>
            {name}
          </option>
        ))}
      </optgroup>
      {props.versions.length > 0 && (
        <optgroup label="Versions">
          {props.versions.map(version => (
            <option key={`v-${version.sha}`} value={versionRef(version)}>
              {versionLabel(version)}
            </option>
          ))}
        </optgroup>
      )}
    </TextField>
  );
};

function uniqueBySha(versions: Version[]): Version[] {
  const seen = new Set<string>();
  return versions.filter(v => !seen.has(v.sha) && seen.add(v.sha));
}

/**
 * The changes between two environments or two versions. Defaults to the last
 * environment and the one before it: what would ship next.
 */
export const ChangeDiffView = (props: ChangeDiffViewProps) => {
  const { environments } = props;
  const defaultFrom = props.from ?? environments.at(-1) ?? '';
  const defaultTo = props.to ?? environments.at(-2) ?? defaultFrom;
  const [from, setFrom] = useState(defaultFrom);
  const [to, setTo] = useState(defaultTo);

  const versions = uniqueBySha(props.versions ?? []);
  const { value, loading, error } = useDiff(props.entityRef, from, to);
  const undeployed = environmentWithoutSuccess(error);

  let body;
  if (!from || !to || from === to) {
    body = (
      <EmptyState
        missing="info"
        title="Pick two different environments or versions"
        description="The diff lists what the second one has that the first lacks."
      />
    );
  } else if (loading) {
    body = <Progress />;
  } else if (undeployed) {
    body = (
      <EmptyState
        missing="data"
        title={`Nothing has been deployed to ${undeployed} yet`}
        description={`No deployment has succeeded in ${undeployed}, so there is no version there to compare with.${
          versions.length > 0 ? ' Pick a version to compare instead.' : ''
        }`}
      />
    );
  } else if (error) {
    body = (
      <ResponseErrorPanel
        error={error}
        title={`Could not load the changes: ${errorMessage(error)}`}
      />
    );
  } else if (value) {
    body = <ChangeList diff={value} />;
  }

  return (
    <InfoCard title="Changes" subheader={`What ${to} has that ${from} lacks`}>
      <Box mb={2}>
        <Grid container alignItems="center">
          <RefPicker
            label="From"
            value={from}
            onChange={setFrom}
            environments={environments}
            versions={versions}
          />
          <RefPicker
            label="To"
            value={to}
            onChange={setTo}
            environments={environments}
            versions={versions}
          />
        </Grid>
      </Box>
      {body}
    </InfoCard>
  );
};
