// One metric across the latest sessions of a product version: each run overlaid against its
// own time since start, and a per-session summary (e.g. frame time p95 per session).
import {h, isolated, link, pathWith, replace} from './dom.js';
import {get} from './api.js';
import {date, num, shortId} from './format.js';
import {acrossChart, emptyChart} from './charts.js';

/** The value a chart of many sessions draws, and the summary column, per metric type. */
const FIELD = {gauge: ['avg', 'avg'], counter: ['rate', 'total'], histogram: ['p95', 'p95'], timer: ['p95', 'p95']};

/** The aggregate's columns per metric type: [heading, value of an aggregate]. */
const AGGREGATE_COLUMNS = {
  counter: [['Total', (a) => a.total], ['Mean per session', (a) => a.mean_total], ['Rate /s', (a) => a.rate]],
  histogram: [['Count', (a) => a.count], ['p50', (a) => a.p50], ['p95', (a) => a.p95], ['p99', (a) => a.p99]],
  gauge: [['Avg', (a) => a.avg], ['Min', (a) => a.min], ['Max', (a) => a.max],
    ['Last p50', (a) => a.last && a.last.p50], ['Last p95', (a) => a.last && a.last.p95]],
};
AGGREGATE_COLUMNS.timer = AGGREGATE_COLUMNS.histogram;

/** The metric merged over the sessions shown, and per version when no version is chosen. */
function aggregateCard(data) {
  const columns = AGGREGATE_COLUMNS[data.aggregate.type] || AGGREGATE_COLUMNS.gauge;
  const rows = [['All shown', data.aggregate], ...(data.by_version || []).map((v) => [v.version, v])];
  return h('section', {class: 'card'},
    h('div', {class: 'card-head'}, h('h2', {}, 'Across these sessions'),
      h('span', {class: 'muted'}, data.by_version_truncated ? 'versions with most sessions first; more not shown'
        : data.by_version ? 'and per version, most sessions first' : '')),
    h('table', {class: 'grid', id: 'aggregate-table'},
      h('thead', {}, h('tr', {}, h('th', {}, 'Version'), h('th', {class: 'num'}, 'Sessions'),
        columns.map(([heading]) => h('th', {class: 'num'}, heading)))),
      h('tbody', {}, rows.map(([label, a]) => h('tr', {},
        h('td', {}, isolated(label)), h('td', {class: 'num'}, String(a.sessions)),
        columns.map(([, value]) => h('td', {class: 'num'}, num(value(a)))))))));
}

/** What the URL asks for that no session here has (the product, or its version), in words; null if nothing. */
function unknownChoice(chosen, product) {
  if (!product) return ['The product ', isolated(chosen.product), ' is unknown here: no session of it has been received.'];
  if (chosen.version && !product.versions.some((v) => v.version === chosen.version)) {
    return ['The version ', isolated(chosen.version), ' of ', isolated(chosen.product), ' is unknown here: no session of it has been received.'];
  }
  return null;
}

export async function renderMetrics(ctx) {
  const chosen = {product: ctx.params.get('product') || '', version: ctx.params.get('version') || '',
    name: ctx.params.get('name') || ''};
  const products = (await get('/api/products')).products;
  if (!chosen.product && products.length) chosen.product = products[0].product;
  const product = products.find((p) => p.product === chosen.product);

  const go = (change) => ctx.navigate(pathWith('/metrics', {...chosen, ...change}), true);
  const select = (name, options, value, onchange) => {
    // A value of the URL that is not among the options stays shown, marked, rather than leaving the picker blank.
    const all = !value || options.some(([v]) => v === value) ? options : [[value, `${value} (no sessions)`], ...options];
    const el = h('select', {name, title: value, onchange: (e) => onchange(e.target.value)},
      all.map(([v, label]) => h('option', {value: v, dir: 'auto'}, label)));
    el.value = value;
    return el;
  };
  const controls = h('form', {class: 'card metric-controls', id: 'metric-controls', onsubmit: (e) => e.preventDefault()},
    h('label', {class: 'field'}, 'Product', select('product', products.map((p) => [p.product, p.product]), chosen.product,
      (v) => go({product: v, version: '', name: ''}))),
    h('label', {class: 'field'}, 'Version', select('version',
      [['', 'All versions'], ...(product ? product.versions.map((v) => [v.version, v.version]) : [])], chosen.version,
      (v) => go({version: v}))));
  const body = h('div', {class: 'stack'});
  replace(ctx.root,
    h('div', {class: 'page-head'}, h('h1', {}, 'Metrics across sessions'),
      h('span', {class: 'sub'}, 'One metric in the latest sessions of a version, each run against its own time since start.')),
    controls, body);
  if (!chosen.product) {
    replace(body, h('div', {class: 'empty'}, 'No sessions yet.'));
    return;
  }
  const unknown = unknownChoice(chosen, product);
  if (unknown) {
    replace(body, h('div', {class: 'empty', id: 'unknown-choice'}, unknown, ' Pick one above.'));
    return;
  }

  const data = await get('/api/metrics', {product: chosen.product, version: chosen.version, name: chosen.name || null,
    sessions: 20, points: 120});
  if (data.names.length === 0) {
    replace(body, h('div', {class: 'empty'}, 'These sessions logged no metrics.'));
    return;
  }
  if (!chosen.name) {
    chosen.name = data.names[0].name;
    go({name: chosen.name});
    return;
  }
  controls.appendChild(h('label', {class: 'field'}, 'Metric',
    select('name', data.names.map((n) => [n.name, `${n.name} (${n.type})`]), chosen.name, (v) => go({name: v}))));

  const sessions = data.sessions || [];
  if (sessions.length === 0) {
    replace(body, h('div', {class: 'empty'}, 'No recent session logged this metric.'));
    return;
  }
  const type = sessions[0].type;
  const [field, summaryField] = FIELD[type] || FIELD.gauge;
  const chartEl = h('div', {class: 'chart', id: 'across-chart', 'data-metric': chosen.name});
  const max = Math.max(...sessions.map((s) => s.summary[summaryField] || 0), 1e-9);
  replace(body,
    h('section', {class: 'card'},
      h('div', {class: 'card-head'}, h('h2', {}, isolated(chosen.name), ` — ${field} over time`),
        h('span', {class: 'muted'}, `${sessions.length} latest sessions; crashed ones in red`)),
      chartEl),
    data.aggregate ? aggregateCard(data) : null,
    h('section', {class: 'card'},
      h('div', {class: 'card-head'}, h('h2', {}, `${summaryField} per session`)),
      h('table', {class: 'grid', id: 'across-table'},
        h('thead', {}, h('tr', {}, h('th', {}, 'Session'), h('th', {}, 'Status'), h('th', {}, 'Started'),
          h('th', {class: 'num'}, summaryField), h('th', {class: 'num'}, 'Records'))),
        h('tbody', {}, sessions.map((s) => h('tr', {},
          h('td', {}, link(`/sessions/${encodeURIComponent(s.session)}`, h('span', {class: 'session-id'}, shortId(s.session)))),
          h('td', {}, h('span', {class: `badge ${s.status}`}, s.status), s.hung ? [' ', h('span', {class: 'badge hung'}, 'hung')] : null),
          h('td', {}, date(s.created_at)),
          h('td', {class: 'num'}, h('div', {class: 'bar-cell'},
            h('div', {class: 'bar', style: {width: `${Math.round(((s.summary[summaryField] || 0) / max) * 120)}px`}}),
            h('span', {}, num(s.summary[summaryField])))),
          h('td', {class: 'num'}, String(s.summary.records))))))));
  if (sessions.every((s) => s.points.t.length === 0)) {
    replace(chartEl, emptyChart('No points to draw.'));
    return;
  }
  const chart = acrossChart(chartEl, sessions, field);
  const redraw = () => { chart.destroy(); renderMetrics(ctx); };
  document.addEventListener('datacat-theme', redraw, {once: true});
  ctx.onLeave(() => { chart.destroy(); document.removeEventListener('datacat-theme', redraw); });
}
