// Metric charts on uPlot (served from its webjar). Each chart marks the number of points it
// drew on its element (data-drawn-points), which the browser tests read.
import uPlot from '/ui/vendor/uPlot.esm.js';
import {h} from './dom.js';
import {num, tick} from './format.js';

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const PALETTE = ['--accent', '--info', '--ended', '--warning', '--crashed', '--hung', '--state', '--critical'];

/** The lines a chart of this metric type shows: [field, label, colour variable, width, dash]. */
function linesFor(type) {
  switch (type) {
    case 'counter': return [['rate', 'rate /s', '--info', 2], ['total', 'total', '--accent', 1.5, [4, 3]]];
    case 'histogram':
    case 'timer': return [['p50', 'p50', '--ended', 1.5], ['p95', 'p95', '--warning', 2], ['p99', 'p99', '--crashed', 1.5]];
    default: return [['avg', 'avg', '--info', 2], ['min', 'min', '--faint', 1, [2, 3]], ['max', 'max', '--faint', 1, [2, 3]]];
  }
}

/**
 * The least room (px) between time ticks: wider than the longest one-line label ("07:56:05.123 PM").
 * uPlot's own labels add the date on a second line where a minute begins, which ran into the next label.
 */
const TIME_TICK_SPACE = 110;

function axes(yLabel, withRight) {
  const stroke = css('--muted');
  const grid = {stroke: css('--chart-grid'), width: 1};
  const list = [
    {stroke, grid, ticks: grid, space: TIME_TICK_SPACE, values: (u, splits, i, space, step) => splits.map((t) => tick(t, step))},
    {stroke, grid, ticks: grid, size: 56, label: yLabel, labelSize: 18, values: (u, vals) => vals.map(num)},
  ];
  if (withRight) list.push({side: 1, scale: 'total', stroke, grid: {show: false}, size: 56, values: (u, vals) => vals.map(num)});
  return list;
}

/** Counts the points the chart has drawn, after each draw. */
function markDrawn(el) {
  return (u) => {
    let n = 0;
    for (let i = 1; i < u.data.length; i++) n += u.data[i].filter((v) => v !== null && v !== undefined).length;
    el.dataset.drawnPoints = String(n);
  };
}

/** Turns a drag on the chart into a time range for the whole page (from, to in µs). */
function zoomHook(onZoom, toMicros) {
  return (u) => {
    if (u.select.width < 4) return;
    const from = u.posToVal(u.select.left, 'x');
    const to = u.posToVal(u.select.left + u.select.width, 'x');
    u.setSelect({left: 0, top: 0, width: 0, height: 0}, false);
    onZoom(Math.floor(toMicros(from)), Math.ceil(toMicros(to)));
  };
}

function sized(el, opts, data) {
  const chart = new uPlot({...opts, width: Math.max(280, el.clientWidth - 12), height: opts.height || 200}, data, el);
  const observer = new ResizeObserver(() => chart.setSize({width: Math.max(280, el.clientWidth - 12), height: opts.height || 200}));
  observer.observe(el);
  return {destroy: () => { observer.disconnect(); chart.destroy(); }};
}

/**
 * A chart of one session's metric series (from /api/sessions/{id}/series) in el, over the
 * time range [from, to] (µs) that all charts of the page share.
 */
export function seriesChart(el, series, from, to, onZoom) {
  const lines = linesFor(series.type).filter(([field]) => series.points[field]);
  const x = series.points.t.map((t) => t / 1e6);
  const data = [x, ...lines.map(([field]) => series.points[field])];
  const withRight = series.type === 'counter';
  const opts = {
    class: 'metric-chart',
    cursor: {drag: {x: true, y: false, setScale: false}},
    legend: {live: true},
    scales: {x: {time: true, range: [from / 1e6, to / 1e6]}, ...(withRight ? {total: {auto: true}} : {})},
    axes: axes(series.unit || '', withRight),
    series: [{}, ...lines.map(([field, label, color, width, dash]) => ({
      label, stroke: css(color), width, dash, scale: field === 'total' ? 'total' : 'y',
      points: {show: x.length < 60, size: 4}, spanGaps: false, value: (u, v) => num(v),
      fill: field === 'rate' || field === 'avg' ? `${css(color)}22` : undefined,
    }))],
    hooks: {draw: [markDrawn(el)], setSelect: onZoom ? [zoomHook(onZoom, (s) => s * 1e6)] : []},
  };
  return sized(el, opts, data);
}

/**
 * One metric over many sessions, each against its own time since start (from /api/metrics):
 * field is the value drawn (avg for gauges, p95 for distributions, rate for counters).
 */
export function acrossChart(el, sessions, field) {
  const tables = sessions.map((s) => [s.points.t.map((t) => (t - s.start) / 1e6), s.points[field] || []]);
  const data = tables.length ? uPlot.join(tables) : [[]];
  const opts = {
    height: 300,
    cursor: {drag: {x: true, y: false}},
    legend: {show: false},
    scales: {x: {time: false}},
    axes: [
      {stroke: css('--muted'), grid: {stroke: css('--chart-grid')}, values: (u, vals) => vals.map((v) => `${num(v)} s`)},
      {stroke: css('--muted'), grid: {stroke: css('--chart-grid')}, size: 56, values: (u, vals) => vals.map(num)},
    ],
    series: [{}, ...sessions.map((s, i) => ({
      label: s.session.slice(0, 8),
      stroke: css(s.status === 'crashed' ? '--crashed' : PALETTE[i % PALETTE.length]),
      width: s.status === 'crashed' ? 2 : 1.25,
      spanGaps: true,
      points: {show: s.points.t.length < 40, size: 5},
    }))],
    hooks: {draw: [markDrawn(el)]},
  };
  return sized(el, opts, data);
}

export function legendNote(type) {
  switch (type) {
    case 'counter': return 'increments per second, and the running total (right axis)';
    case 'histogram':
    case 'timer': return 'p50 / p95 / p99 per interval, from the histogram buckets';
    default: return 'average per interval, with its min and max';
  }
}

export function emptyChart(text) {
  return h('div', {class: 'empty'}, text);
}
