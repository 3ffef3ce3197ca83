// Sessions list: filters kept in the URL (so a view can be shared), cursor paging.
import {h, isolated, link, pathWith, replace} from './dom.js';
import {get} from './api.js';
import {count, crashReason, date, duration, micros, shortId} from './format.js';

/** The URL parameters of this page, in the order the filter bar shows them. */
const FILTERS = ['product', 'version', 'status', 'from', 'to', 'state_key', 'state_value', 'state_scope', 'event', 'q', 'sort'];

/** Sessions per "Load more"; the API gives up to MAX_PAGE at once, for coming back to a longer list. */
const PAGE = 50;
const MAX_PAGE = 500;

const STATUSES = [
  ['', 'Any status'], ['active', 'Active'], ['ended', 'Ended'], ['crashed', 'Crashed'], ['abnormal', 'Abnormal'],
  ['hung', 'Hung now'], ['hung_ever', 'Hung at some point'],
];

export async function renderSessions(ctx) {
  const filters = {};
  for (const f of FILTERS) filters[f] = ctx.params.get(f) || '';

  const rows = h('tbody', {});
  const foot = h('div', {class: 'list-foot'});
  const table = h('table', {class: 'grid sessions'},
    h('thead', {}, h('tr', {},
      h('th', {}, 'Status'), h('th', {}, 'Session'), h('th', {}, 'Product'), h('th', {}, 'Started'),
      h('th', {class: 'num'}, 'Duration'), h('th', {}, 'Host'), h('th', {class: 'num'}, 'Events'),
      h('th', {class: 'num'}, 'Exceptions'), h('th', {}, 'Outcome'))),
    rows);
  // The filters as the API takes them: for the list's pages and its export alike.
  const apiParams = {};
  for (const f of FILTERS) apiParams[f] = apiValue(f, filters[f]);
  replace(ctx.root,
    h('div', {class: 'page-head'}, h('h1', {}, 'Sessions'), h('span', {class: 'sub'}, describe(filters)),
      h('a', {href: pathWith('/api/sessions/export', apiParams), download: true, class: 'btn small download', id: 'download-ndjson',
        title: 'Every session these filters find (not only those shown), one JSON object per line'}, 'Download NDJSON')),
    filterBar(filters, ctx),
    h('section', {class: 'card'}, table, foot));

  let shown = 0;
  /** Loads `want` more sessions after `cursor`, in pages the API allows. */
  async function load(cursor, want) {
    replace(foot, h('span', {}, 'Loading…'));
    let page = {next_cursor: cursor};
    let added = 0;
    try {
      do {
        page = await get('/api/sessions', {...apiParams, limit: Math.min(MAX_PAGE, want - added), cursor: page.next_cursor});
        page.sessions.forEach((s) => rows.appendChild(sessionRow(s)));
        added += page.sessions.length;
      } while (page.next_cursor && !page.partial && added < want);
    } catch (e) {
      replace(foot, h('span', {class: 'error-box'}, e.message));
      return;
    }
    shown += added;
    ctx.remember({rows: shown});
    const parts = [h('span', {'data-shown': String(shown)}, `${count(shown)} ${shown === 1 ? 'session' : 'sessions'} shown`)];
    if (page.partial) {
      parts.push(h('span', {}, 'The text search stopped to keep the page fast; it has not looked at older sessions yet.'));
    }
    if (page.next_cursor) {
      parts.push(h('button', {type: 'button', class: 'btn', onclick: () => load(page.next_cursor, PAGE)},
        page.partial ? 'Search further' : 'Load more'));
    } else if (shown === 0) {
      rows.appendChild(h('tr', {}, h('td', {colspan: 9, class: 'muted'}, 'No session matches these filters.')));
    }
    replace(foot, ...parts);
  }
  // Back from a session comes back to as many rows as were loaded (the app restores the scroll position).
  await load(null, Math.max(PAGE, ctx.remembered.rows || 0));
}

const MICROS = /^\d+$/;

/**
 * datetime-local gives local time without a zone; the API wants RFC 3339 or µs, which a shared
 * URL may hold already: those go as they are, and so does anything unreadable, for the API's
 * error to name it.
 */
function apiValue(name, value) {
  if ((name !== 'from' && name !== 'to') || !value || MICROS.test(value)) return value;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/** A time of the URL (µs, RFC 3339 or local) as the datetime-local input shows it, or '' if unreadable. */
function inputTime(value) {
  if (!value) return '';
  const d = MICROS.test(value) ? new Date(Number(value) / 1000) : new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 19);
}

/** The filters in words; the values, from the URL, each isolated from the words around them. */
function describe(f) {
  const parts = [];
  if (f.product) parts.push([isolated(f.product), f.version ? [' ', isolated(f.version)] : null]);
  if (f.status) parts.push(STATUSES.find(([v]) => v === f.status)?.[1].toLowerCase() || isolated(f.status));
  if (f.state_key) {
    parts.push(['state ', isolated(f.state_key), ' = ', isolated(f.state_value), f.state_scope === 'ever' ? ' (at any point)' : '']);
  }
  if (f.event) parts.push(['logged ', isolated(f.event)]);
  if (f.q) parts.push(['mentions “', isolated(f.q), '”']);
  return parts.length ? parts.flatMap((part, i) => [i ? ' · ' : null, part])
    : 'Newest first. Filter by product, status, state, events or text.';
}

function filterBar(f, ctx) {
  const input = (name, placeholder, type = 'text') =>
    h('input', type === 'datetime-local' ? {type, name, value: inputTime(f[name]), step: 1}
      : {type, name, value: f[name], placeholder, autocomplete: 'off', dir: 'auto'});
  const select = (name, options) => {
    const el = h('select', {name}, options.map(([v, label]) => h('option', {value: v}, label)));
    el.value = f[name];
    return el;
  };
  const form = h('form', {class: 'card filters', id: 'filters'},
    h('label', {class: 'field'}, 'Product', input('product', 'any')),
    h('label', {class: 'field'}, 'Version', input('version', 'any')),
    h('label', {class: 'field'}, 'Status', select('status', STATUSES)),
    h('label', {class: 'field'}, 'Started from', input('from', '', 'datetime-local')),
    h('label', {class: 'field'}, 'Started before', input('to', '', 'datetime-local')),
    h('label', {class: 'field'}, 'Sort', select('sort', [['', 'Newest first'], ['oldest', 'Oldest first']])),
    h('label', {class: 'field wide'}, 'State key = value',
      h('div', {class: 'state-row'}, input('state_key', 'player.level'), input('state_value', 'value'),
        select('state_scope', [['', 'now'], ['ever', 'ever']]))),
    h('label', {class: 'field'}, 'Logged event', input('event', 'event name')),
    h('label', {class: 'field'}, 'Text in events', input('q', 'name or message', 'search')),
    h('div', {class: 'actions'},
      h('a', {href: '/sessions', 'data-link': true, class: 'btn'}, 'Clear'),
      h('button', {type: 'submit', class: 'btn primary'}, 'Apply')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const name of FILTERS) next[name] = (data.get(name) || '').trim();
    if (!next.state_key || !next.state_value) {
      next.state_key = '';
      next.state_value = '';
      next.state_scope = '';
    }
    ctx.navigate(pathWith('/sessions', next));
  });
  return form;
}

function sessionRow(s) {
  const end = s.ended_at || s.last_seen;
  const ms = (micros(end) - micros(s.created_at)) / 1000;
  return h('tr', {'data-session': s.id},
    h('td', {}, statusBadges(s)),
    h('td', {}, link(`/sessions/${encodeURIComponent(s.id)}`, h('span', {class: 'session-id', title: s.id}, shortId(s.id)))),
    h('td', {}, h('span', {class: 'cell-strong'}, isolated(s.product)), ' ', h('span', {class: 'muted'}, isolated(s.version))),
    h('td', {title: s.created_at}, date(s.created_at)),
    h('td', {class: 'num'}, duration(ms)),
    h('td', {class: 'muted'}, isolated(s.hostname || '—')),
    h('td', {class: 'num'}, count(s.counts.events)),
    h('td', {class: 'num'}, s.counts.exceptions ? h('span', {class: 'reason'}, count(s.counts.exceptions)) : h('span', {class: 'zero'}, '0')),
    h('td', {}, s.status === 'crashed' ? h('span', {class: 'reason'}, crashReason(s.crash_reason))
      : s.status === 'ended' ? h('span', {class: 'muted'}, 'Ended cleanly') : h('span', {class: 'muted'}, '—')));
}

export function statusBadges(s, large = false) {
  const size = large ? ' large' : '';
  return [
    h('span', {class: `badge ${s.status}${size}`, 'data-status': s.status}, s.status),
    s.hung ? h('span', {class: `badge hung${size}`}, 'hung')
      : s.hang_count > 0 ? h('span', {class: `badge hung${size}`, title: 'Hung, then recovered'}, `hung ×${s.hang_count}`) : null,
  ];
}
