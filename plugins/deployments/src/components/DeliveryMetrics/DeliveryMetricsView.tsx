import { useMemo, useState } from 'react';
import Button from '@material-ui/core/Button';
import ButtonGroup from '@material-ui/core/ButtonGroup';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import type { SvgIconProps } from '@material-ui/core/SvgIcon';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import TrendingDownIcon from '@material-ui/icons/TrendingDown';
import TrendingFlatIcon from '@material-ui/icons/TrendingFlat';
import TrendingUpIcon from '@material-ui/icons/TrendingUp';
import type {
  DeliveryFigures,
  DeliveryMetrics,
  MetricsDeployment,
} from '@stagecraft/plugin-deployments-common';
import { onPaper } from '../../theme/contrast';
import {
  DeploymentSelection,
  MetricsDeploymentsDialog,
} from './MetricsDeploymentsDialog';
import {
  detailLabel,
  FIGURE_TITLES,
  FigureKey,
  idsOf,
  PERIODS,
  PeriodDays,
  trendOf,
  valueLabel,
} from './metricsFormat';
import { WeeklyTrendCharts } from './WeeklyTrendCharts';

const KEYS: FigureKey[] = [
  'deployments',
  'leadTime',
  'changeFailureRate',
  'timeToRestore',
];

const TrendIcon = ({
  direction,
  ...props
}: { direction: 'up' | 'down' | 'flat' } & SvgIconProps) => {
  const Icon = {
    up: TrendingUpIcon,
    down: TrendingDownIcon,
    flat: TrendingFlatIcon,
  }[direction];
  return <Icon data-direction={direction} {...props} />;
};

const useStyles = makeStyles(theme => ({
  tile: { padding: theme.spacing(2), height: '100%' },
  value: {
    ...theme.typography.h4,
    textTransform: 'none',
    padding: theme.spacing(0, 0.5),
    minWidth: 0,
  },
  // The trend is said in words, in the text's own colour; only its icon
  // carries the verdict's colour, in a shade with 3:1 on the theme's paper
  // (MUI's success.main, #4caf50, has 2.8:1 on white: too little for text).
  trend: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    color: theme.palette.text.primary,
  },
  better: { color: onPaper(theme, theme.palette.success.main) },
  worse: { color: onPaper(theme, theme.palette.error.main) },
  neutral: { color: theme.palette.text.secondary },
  previous: { textTransform: 'none', padding: theme.spacing(0, 0.5) },
  toolbar: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(2),
  },
}));

/**
 * The deployments of the response that a list of ids names, in its order.
 * Two entities that share a repository report the same deployment id: each
 * mention takes the next deployment of that id.
 */
export function deploymentsOf(
  all: MetricsDeployment[],
  ids: string[],
): MetricsDeployment[] {
  const byId = new Map<string, MetricsDeployment[]>();
  for (const d of all) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
  const used = new Map<string, number>();
  return ids.flatMap(id => {
    const list = byId.get(id) ?? [];
    const index = used.get(id) ?? 0;
    used.set(id, index + 1);
    const found = list[Math.min(index, list.length - 1)];
    return found ? [found] : [];
  });
}

/** The period selector: 30, 90 or 180 days. */
export const PeriodSelector = (props: {
  days: PeriodDays;
  onChange(days: PeriodDays): void;
}) => (
  <ButtonGroup size="small" aria-label="Period">
    {PERIODS.map(days => (
      <Button
        key={days}
        variant={props.days === days ? 'contained' : 'outlined'}
        color={props.days === days ? 'primary' : 'default'}
        aria-pressed={props.days === days}
        onClick={() => props.onChange(days)}
      >
        {days} days
      </Button>
    ))}
  </ButtonGroup>
);

/**
 * The four delivery figures of a period with their trend against the
 * period before, the weekly charts, and, behind every number, the list of
 * the deployments that produced it.
 */
export const DeliveryMetricsView = (props: {
  metrics: DeliveryMetrics;
  days: PeriodDays;
  /** Where the figures are taken, e.g. "production". */
  environmentLabel: string;
  showEntity?: boolean;
  /** Below the tiles and charts, e.g. the owner's per-service table. */
  children?: (select: (selection: DeploymentSelection) => void) => JSX.Element;
}) => {
  const classes = useStyles();
  const { metrics } = props;
  const [selection, setSelection] = useState<DeploymentSelection>();
  const deployments = metrics.deployments;
  const select = useMemo(
    () => (title: string, figures: DeliveryFigures, key: FigureKey) =>
      setSelection({
        title,
        deployments: deploymentsOf(deployments, idsOf(figures, key)),
      }),
    [deployments],
  );

  return (
    <>
      <Grid container spacing={2}>
        {KEYS.map(key => {
          const trend = trendOf(metrics.figures, metrics.previous.figures, key);
          const count = idsOf(metrics.figures, key).length;
          const previousCount = idsOf(metrics.previous.figures, key).length;
          return (
            <Grid item xs={12} sm={6} lg={3} key={key}>
              <Paper variant="outlined" className={classes.tile}>
                <Typography variant="overline" component="h3">
                  {FIGURE_TITLES[key]}
                </Typography>
                <Button
                  className={classes.value}
                  aria-label={`${FIGURE_TITLES[key]}: ${valueLabel(
                    metrics.figures,
                    key,
                  )}, list the ${count} deployment${count === 1 ? '' : 's'}`}
                  onClick={() =>
                    select(
                      `${FIGURE_TITLES[key]}, last ${
                        props.days
                      } days: ${valueLabel(metrics.figures, key)}`,
                      metrics.figures,
                      key,
                    )
                  }
                >
                  {valueLabel(metrics.figures, key)}
                </Button>
                <Typography variant="body2" color="textSecondary">
                  {detailLabel(metrics.figures, key)}
                </Typography>
                <Typography variant="body2" className={classes.trend}>
                  {trend.direction && (
                    <TrendIcon
                      direction={trend.direction}
                      fontSize="small"
                      aria-hidden
                      data-verdict={trend.verdict}
                      className={
                        {
                          better: classes.better,
                          worse: classes.worse,
                          same: classes.neutral,
                          unknown: classes.neutral,
                        }[trend.verdict]
                      }
                    />
                  )}
                  <span>
                    {trend.text}
                    {trend.verdict === 'better' && ' (better)'}
                    {trend.verdict === 'worse' && ' (worse)'}
                  </span>
                </Typography>
                <Button
                  size="small"
                  className={classes.previous}
                  aria-label={`${FIGURE_TITLES[key]}, previous ${
                    props.days
                  } days: ${valueLabel(
                    metrics.previous.figures,
                    key,
                  )}, list the ${previousCount} deployment${
                    previousCount === 1 ? '' : 's'
                  }`}
                  onClick={() =>
                    select(
                      `${FIGURE_TITLES[key]}, the ${
                        props.days
                      } days before: ${valueLabel(
                        metrics.previous.figures,
                        key,
                      )}`,
                      metrics.previous.figures,
                      key,
                    )
                  }
                >
                  previous {props.days} days:{' '}
                  {valueLabel(metrics.previous.figures, key)}
                </Button>
              </Paper>
            </Grid>
          );
        })}
        <Grid item xs={12}>
          <WeeklyTrendCharts
            weeks={metrics.weeks}
            onSelectWeek={index => {
              const week = metrics.weeks[index];
              if (!week) return;
              select(
                `Deployments in the week of ${new Date(
                  week.from,
                ).toLocaleDateString('en-GB', {
                  dateStyle: 'medium',
                  timeZone: 'UTC',
                })}`,
                week.figures,
                'deployments',
              );
            }}
          />
          <Typography variant="caption" color="textSecondary" component="p">
            Taken in {props.environmentLabel}. A success followed within{' '}
            {Math.round(metrics.rules.hotfixWindowSeconds / 3600)} h by a hotfix
            (a commit title or tag matching /{metrics.rules.hotfixPattern}/i)
            counts as a change failure; lead time runs from the version's first
            deployment. See the rules in docs/metrics.md.
          </Typography>
        </Grid>
      </Grid>
      {props.children?.(setSelection)}
      <MetricsDeploymentsDialog
        selection={selection}
        showEntity={props.showEntity}
        onClose={() => setSelection(undefined)}
      />
    </>
  );
};
