/**
 * The daily cost chart of the overview, drawn by uPlot (a small canvas chart library made for
 * time series; served by the collector from node_modules). Days without requests are drawn as
 * zero bars, so a quiet day shows as a gap in spending rather than being skipped.
 */
import uPlot from '../vendor/uPlot.esm.js';
import { h } from './dom.js';
import { usd } from './format.js';

const DAY_S = 86_400;

/**
 * `rows`: AnalyticsRow[] bucketed by day (bucket = the day's start, UTC); `days`: how many days
 * back from today (UTC) the axis spans. Returns an element; the chart is drawn once the element
 * is in the page (uPlot needs its width) and follows its width afterwards.
 */
export function costChart(rows, days) {
  const byDay = new Map();
  for (const row of rows) {
    const day = Math.floor(Date.parse(row.bucket) / 1000 / DAY_S) * DAY_S;
    byDay.set(day, (byDay.get(day) ?? 0) + row.costUsd);
  }
  const today = Math.floor(Date.now() / 1000 / DAY_S) * DAY_S;
  const xs = [];
  const ys = [];
  for (let day = today - (days - 1) * DAY_S; day <= today; day += DAY_S) {
    xs.push(day);
    ys.push(byDay.get(day) ?? 0);
  }

  const element = h('div', { class: 'chart', role: 'img', 'aria-label': `Daily cost over the last ${days} days` });
  let plot = null;
  const draw = () => {
    const width = Math.max(element.clientWidth, 300);
    if (plot) {
      plot.setSize({ width, height: 220 });
      return;
    }
    plot = new uPlot(options(width), [xs, ys], element);
  };
  const observer = new ResizeObserver(() => {
    if (element.isConnected && element.clientWidth > 0) draw();
    else if (!element.isConnected && plot) {
      observer.disconnect();
      plot.destroy();
    }
  });
  observer.observe(element);
  return element;
}

/** The page's colours (style.css custom properties), so the chart follows light and dark. */
function colour(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function options(width) {
  const axis = { stroke: colour('--muted'), grid: { stroke: colour('--line') }, ticks: { stroke: colour('--line') } };
  return {
    width,
    height: 220,
    // Buckets are UTC days: label them as such in every browser time zone.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    // Half a day on each side, so the first and last bars are not cut in half at the edges.
    scales: { x: { time: true, range: (_u, min, max) => [min - DAY_S / 2, max + DAY_S / 2] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      axis,
      { ...axis, size: 70, values: (_u, splits) => splits.map((v) => usd(v)) },
    ],
    series: [
      { label: 'Day (UTC)', value: (_u, ts) => (ts == null ? '—' : new Date(ts * 1000).toISOString().slice(0, 10)) },
      {
        label: 'Cost',
        stroke: colour('--accent'),
        fill: colour('--chart-fill'),
        width: 0,
        paths: uPlot.paths.bars({ size: [0.7, 40] }),
        points: { show: false },
        value: (_u, v) => usd(v),
      },
    ],
  };
}
