import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import type { MetricsPeriod } from '@stagecraft/plugin-deployments-common';
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { onPaper } from '../../theme/contrast';

const HOUR = 3600;

interface WeekPoint {
  week: string;
  deployments: number;
  failureRate?: number;
  leadTimeHours?: number;
  restoreHours?: number;
  index: number;
}

const weekLabel = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });

const hours = (seconds?: number) =>
  seconds === undefined ? undefined : Math.round((seconds / HOUR) * 10) / 10;

/** The same figures per week, for the charts. */
export function weekPoints(weeks: MetricsPeriod[]): WeekPoint[] {
  return weeks.map((week, index) => ({
    week: weekLabel(week.from),
    index,
    deployments: week.figures.deployments.count,
    failureRate:
      week.figures.changeFailureRate.rate === undefined
        ? undefined
        : Math.round(week.figures.changeFailureRate.rate * 1000) / 10,
    leadTimeHours: hours(week.figures.leadTime.medianSeconds),
    restoreHours: hours(week.figures.timeToRestore.medianSeconds),
  }));
}

/**
 * The trend of the period, week by week: deployments (bars; a click lists
 * that week's deployments) with the change failure rate, and the median
 * lead time and time to restore. Colours come from the theme, so light and
 * dark both read.
 */
export const WeeklyTrendCharts = (props: {
  weeks: MetricsPeriod[];
  onSelectWeek(index: number): void;
}) => {
  const theme = useTheme();
  const points = weekPoints(props.weeks);
  const axis = {
    stroke: theme.palette.text.secondary,
    tick: { fill: theme.palette.text.secondary, fontSize: 12 },
  };
  const tooltip = {
    contentStyle: {
      background: theme.palette.background.paper,
      border: `1px solid ${theme.palette.divider}`,
      color: theme.palette.text.primary,
    },
    labelStyle: { color: theme.palette.text.primary },
    cursor: { fill: theme.palette.action.hover },
    // Recharts colours each item as its series: text needs the text colour.
    itemStyle: { color: theme.palette.text.primary },
  };
  // Legend labels in the text colour too; the symbol beside each keeps the series colour.
  const legend = {
    wrapperStyle: { color: theme.palette.text.primary },
    formatter: (value: string) => (
      <span style={{ color: theme.palette.text.primary }}>{value}</span>
    ),
  };
  // Series in the theme's hues, each in a shade with 3:1 on the paper.
  const colours = {
    deployments: onPaper(theme, theme.palette.primary.main),
    failureRate: onPaper(theme, theme.palette.error.main),
    leadTime: onPaper(theme, theme.palette.info.main),
    restore: onPaper(theme, theme.palette.warning.main),
  };
  const summary = points
    .map(
      p =>
        `week of ${p.week}: ${p.deployments} deployments${
          p.failureRate === undefined ? '' : `, ${p.failureRate} % failed`
        }`,
    )
    .join('; ');
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} md={6}>
        <Typography variant="subtitle2" gutterBottom>
          Deployments and change failure rate per week
        </Typography>
        <div role="img" aria-label={`Deployments per week: ${summary}`}>
          <ResponsiveContainer width="100%" height={220}>
            <ComposedChart data={points}>
              <CartesianGrid
                stroke={theme.palette.divider}
                strokeDasharray="3 3"
              />
              <XAxis dataKey="week" {...axis} />
              <YAxis yAxisId="count" allowDecimals={false} {...axis} />
              <YAxis
                yAxisId="rate"
                orientation="right"
                unit=" %"
                domain={[0, 100]}
                {...axis}
              />
              <Tooltip {...tooltip} />
              <Legend {...legend} />
              <Bar
                yAxisId="count"
                dataKey="deployments"
                name="deployments"
                fill={colours.deployments}
                cursor="pointer"
                onClick={(data: any) => {
                  if (typeof data?.index === 'number')
                    props.onSelectWeek(data.index);
                }}
              />
              <Line
                yAxisId="rate"
                dataKey="failureRate"
                name="change failure rate"
                stroke={colours.failureRate}
                strokeWidth={2}
                connectNulls
                dot
              />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      </Grid>
      <Grid item xs={12} md={6}>
        <Typography variant="subtitle2" gutterBottom>
          Median lead time and time to restore per week (hours)
        </Typography>
        <div
          role="img"
          aria-label={`Median lead time and time to restore per week: ${points
            .map(
              p =>
                `week of ${p.week}: lead time ${
                  p.leadTimeHours ?? 'none'
                } h, restore ${p.restoreHours ?? 'none'} h`,
            )
            .join('; ')}`}
        >
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={points}>
              <CartesianGrid
                stroke={theme.palette.divider}
                strokeDasharray="3 3"
              />
              <XAxis dataKey="week" {...axis} />
              <YAxis unit=" h" {...axis} />
              <Tooltip {...tooltip} />
              <Legend {...legend} />
              <Line
                dataKey="leadTimeHours"
                name="lead time"
                stroke={colours.leadTime}
                strokeWidth={2}
                connectNulls
              />
              <Line
                dataKey="restoreHours"
                name="time to restore"
                stroke={colours.restore}
                strokeWidth={2}
                strokeDasharray="5 3"
                connectNulls
              />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </Grid>
    </Grid>
  );
};
