// Products overview: every product and version, sessions by status, crash-free rate.
import {h, isolated, link, pathWith, replace} from './dom.js';
import {get} from './api.js';
import {ago, count, percent} from './format.js';

export async function renderOverview(ctx) {
  const data = await get('/api/products');
  const head = h('div', {class: 'page-head'}, h('h1', {}, 'Products'),
    h('span', {class: 'sub'}, 'Sessions by status and crash-free rate per version. Every number opens the sessions behind it.'));
  if (data.products.length === 0) {
    replace(ctx.root, head, h('div', {class: 'empty'},
      'No sessions yet. Point a game at this server, or run ', h('code', {}, './datacat demo'), ' to see some.'));
    return;
  }
  replace(ctx.root, head, ...data.products.map(productCard),
    data.truncated ? h('p', {class: 'muted'}, 'Only the first 10,000 product versions are shown.') : null);
}

function productCard(p) {
  return h('section', {class: 'card product-card', 'data-product': p.product},
    h('div', {class: 'card-head'},
      h('span', {class: 'product-title'}, isolated(p.product)),
      h('span', {class: 'muted'}, `${p.versions.length} ${p.versions.length === 1 ? 'version' : 'versions'}`),
      h('div', {class: 'kpis'},
        kpi(link(pathWith('/sessions', {product: p.product}), count(p.sessions)), 'sessions'),
        kpi(h('a', {href: pathWith('/sessions', {product: p.product, status: 'crashed'}), 'data-link': true,
          class: p.crashed ? 'count-link crashed' : 'count-link'}, count(p.crashed)), 'crashed'),
        kpi(rate(p.crash_free_rate), 'crash-free'),
        kpi(h('span', {}, ago(p.last_seen)), 'last seen'))),
    h('table', {class: 'grid versions'},
      h('thead', {}, h('tr', {},
        h('th', {}, 'Version'), h('th', {class: 'num'}, 'Sessions'), h('th', {class: 'num'}, 'Active'),
        h('th', {class: 'num'}, 'Ended'), h('th', {class: 'num'}, 'Crashed'), h('th', {class: 'num'}, 'Abnormal'),
        h('th', {class: 'num', title: 'Sessions that hung at some point'}, 'Hung'),
        h('th', {class: 'num', title: '1 − crashed / (ended + crashed)'}, 'Crash-free'),
        h('th', {class: 'num'}, 'Last seen'))),
      h('tbody', {}, p.versions.map((v) => versionRow(p.product, v)))));
}

function versionRow(product, v) {
  const to = (status) => pathWith('/sessions', {product, version: v.version, status});
  const n = (value, status) => value === 0
    ? h('span', {class: 'zero'}, '0')
    : h('a', {href: to(status), 'data-link': true, class: `count-link ${status || ''}`, 'data-count': status || 'all'}, count(value));
  return h('tr', {'data-version': v.version},
    h('td', {class: 'cell-strong'}, link(to(null), isolated(v.version))),
    h('td', {class: 'num'}, n(v.sessions, null)),
    h('td', {class: 'num'}, n(v.active, 'active')),
    h('td', {class: 'num'}, n(v.ended, 'ended')),
    h('td', {class: 'num'}, n(v.crashed, 'crashed')),
    h('td', {class: 'num'}, n(v.abnormal, 'abnormal')),
    h('td', {class: 'num'}, n(v.hung, "hung_ever")),
    h('td', {class: 'num', 'data-rate': v.crash_free_rate === null ? '' : String(v.crash_free_rate)}, rate(v.crash_free_rate)),
    h('td', {class: 'num muted', title: v.last_seen}, ago(v.last_seen)));
}

function kpi(value, label) {
  return h('div', {class: 'kpi'}, h('span', {class: 'v'}, value), h('span', {class: 'k'}, label));
}

function rate(r) {
  if (r === null) return h('span', {class: 'faint', title: 'No session has ended or crashed yet'}, '—');
  const grade = r >= 0.99 ? 'good' : r >= 0.95 ? 'fair' : 'poor';
  return h('div', {class: `rate ${grade}`},
    h('div', {class: 'rate-bar'}, h('span', {style: {width: `${Math.max(2, r * 100)}%`}})),
    h('span', {class: 'rate-value'}, percent(r)));
}
