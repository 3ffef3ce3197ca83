// The session page: what happened (status, crash or hang detail), when (a strip of the whole
// session and a timeline), what the state was at any moment, and how the metrics behaved.
// Live while the session is active: new records arrive over server-sent events.
import {h, isolated, link, pathWith, replace} from './dom.js';
import {get, sessionPath} from './api.js';
import {count, crashReason, date, duration, micros, num, offset, shortId, time} from './format.js';
import {statusBadges} from './sessions.js';
import {emptyChart, legendNote, seriesChart} from './charts.js';

const LIFECYCLE = ['session_start', 'end', 'crash', 'hang', 'recovered'];
const KIND_GROUPS = [
  ['events', 'Events', ['event']],
  ['exceptions', 'Exceptions', ['exception']],
  ['state', 'State', ['state']],
  ['lifecycle', 'Lifecycle', LIFECYCLE],
];
const LEVELS = [['', 'All levels'], ['info', 'Info+'], ['warning', 'Warning+'], ['error', 'Error+']];
const LEVEL_ORDER = ['debug', 'info', 'warning', 'error', 'critical'];
const PAGE = 100;
/** Notable records the strip reads from each end of a session. */
const STRIP_MARKS = 1000;
/** Hangs shown as full cards (with their stacks), the latest ones; the others are counted. */
const HANG_CARDS = 3;

export async function renderSession(ctx, id) {
  const session = await get(sessionPath(id) + '/summary');
  const page = new SessionPage(ctx, id, session);
  ctx.onLeave(() => page.leave());
  await page.render();
}

class SessionPage {
  constructor(ctx, id, session) {
    this.ctx = ctx;
    this.id = id;
    this.session = session;
    this.start = micros(session.created_at);
    this.range = {from: null, to: null};
    this.filter = {kinds: new Set(['events', 'exceptions', 'state', 'lifecycle']), level: '', name: ''};
    this.cursor = null;
    this.loaded = new Set();
    this.selected = null;
    this.charts = [];
    this.timers = {};
    this.source = null;
  }

  async render() {
    this.headEl = h('section', {class: 'card session-head', id: 'session-head'});
    this.incidentsEl = h('div', {class: 'stack', id: 'incidents'});
    this.stripEl = h('div', {class: 'strip', id: 'strip', title: 'Drag to zoom into a time range'});
    this.rangeEl = h('span', {class: 'muted', id: 'range'});
    this.listEl = h('div', {class: 'timeline', id: 'timeline'});
    this.listFoot = h('div', {class: 'list-foot'});
    this.inspectorEl = h('aside', {class: 'card inspector', id: 'inspector'},
      h('div', {class: 'section muted'}, 'Click anything in the timeline to see its data and the state at that moment.'));
    this.chartsEl = h('div', {class: 'charts', id: 'charts'});

    replace(this.ctx.root,
      h('div', {class: 'stack'},
        this.headEl,
        this.incidentsEl,
        h('section', {class: 'card'},
          h('div', {class: 'card-head'}, h('h2', {}, 'Session at a glance'), this.rangeEl,
            h('div', {class: 'strip-legend'}, h('span', {class: 'l-crash'}, 'crash, exception, error'),
              h('span', {class: 'l-warn'}, 'warning'), h('span', {class: 'l-hang'}, 'hang'), h('span', {class: 'l-end'}, 'end'))),
          h('div', {class: 'card-body', style: {paddingBottom: '0'}}), this.stripEl),
        h('div', {class: 'explorer'},
          h('section', {class: 'card'},
            h('div', {class: 'card-head'}, h('h2', {}, 'Timeline'), this.toolbar()),
            this.listEl, this.listFoot),
          this.inspectorEl)),
      h('div', {class: 'section-title'}, h('h2', {}, 'Metrics'),
        h('span', {class: 'muted'}, 'Drag across a chart to zoom the page into that time.')),
      this.chartsEl);

    this.renderHead();
    this.themeListener = () => this.loadCharts();
    document.addEventListener('datacat-theme', this.themeListener);
    await Promise.all([this.loadIncidents(), this.loadStrip(), this.loadTimeline(true), this.loadCharts()]);
    if (this.session.status === 'active' || this.session.status === 'abnormal') this.goLive();
  }

  leave() {
    if (this.source) this.source.close();
    Object.values(this.timers).forEach(clearTimeout);
    this.charts.forEach((c) => c.destroy());
    document.removeEventListener('datacat-theme', this.themeListener);
  }

  end() {
    return micros(this.session.ended_at || this.session.last_seen);
  }

  // ---- header ---------------------------------------------------------------------------

  renderHead() {
    const s = this.session;
    const c = s.counts;
    const endIso = s.ended_at || s.last_seen;
    const item = (k, v, title) => h('div', {}, h('div', {class: 'k'}, k), h('div', {class: 'v', title: title || null}, v));
    replace(this.headEl,
      h('div', {class: 'session-title'},
        statusBadges(s, true),
        this.source ? h('span', {class: 'badge active live', id: 'live-badge'}, 'live') : null,
        h('h1', {}, isolated(s.product), ' ', h('span', {class: 'ver'}, isolated(s.version))),
        h('span', {class: 'session-id muted', title: 'Session id'}, s.id),
        h('span', {style: {marginLeft: 'auto'}},
          link(pathWith('/sessions', {product: s.product, version: s.version}), 'Other sessions of this version')),
        // A plain link (no data-link): the browser saves the server's NDJSON under the name the server gives.
        h('a', {href: `${sessionPath(s.id)}/export`, download: true, class: 'btn small', id: 'download-ndjson',
          title: 'Every record of this session, one JSON object per line'}, 'Download NDJSON')),
      h('div', {class: 'meta'},
        item('Started', date(s.created_at), s.created_at),
        item(s.ended_at ? 'Ended' : 'Last seen', date(endIso), endIso),
        item('Duration', duration((micros(endIso) - micros(s.created_at)) / 1000)),
        item('Host', isolated(s.hostname || '—')),
        item('Machine', s.machine_id ? isolated(shortId(s.machine_id)) : '—', s.machine_id),
        item('PID', s.pid === undefined ? '—' : String(s.pid)),
        item('Client', isolated(s.client || '—')),
        item('Records', count(c.records)),
        item('Events', `${count(c.events)} · ${count(c.exceptions)} exceptions`),
        item('Metrics / state', `${count(c.metrics)} · ${count(c.states)}`),
        item('Dropped by client', count(s.client_dropped)),
        item('Evicted from spool', count(s.spool_evicted))),
      s.client_dropped > 0 ? h('div', {class: 'notice warn'},
        `${count(s.client_dropped)} records were dropped by the client (its queue was full): what is shown is incomplete.`) : null,
      s.spool_evicted > 0 ? h('div', {class: 'notice warn'},
        `${count(s.spool_evicted)} records were evicted from the daemon's spool while the server was unreachable.`) : null);
  }

  // ---- crash and hang detail ------------------------------------------------------------

  async loadIncidents() {
    const cards = [];
    const s = this.session;
    if (s.status === 'crashed') cards.push(crashCard(s));
    // Enough of the latest hang and recovered records to pair each of the latest hangs with its recovery.
    const hangs = await get(sessionPath(this.id) + '/timeline', {kind: 'hang,recovered', latest: 'true', limit: 4 * HANG_CARDS});
    const all = hangCards(hangs.records, this.start);
    const shown = all.slice(-HANG_CARDS);
    cards.push(...shown);
    if (hangs.earlier || all.length > shown.length) cards.push(this.moreHangs(shown.length, Math.max(s.hang_count, all.length)));
    replace(this.incidentsEl, ...cards);
  }

  /** The honest count of the hangs without a card, and the way to all of them. */
  moreHangs(shown, total) {
    return h('div', {class: 'card card-body more-hangs', id: 'hangs-more'},
      h('span', {}, `The latest ${count(shown)} of ${count(total)} hangs are shown; each one is in the timeline. `),
      h('button', {type: 'button', class: 'btn small', onclick: () => this.showLifecycle()}, 'List the hangs in the timeline'));
  }

  showLifecycle() {
    this.filter = {kinds: new Set(['lifecycle']), level: '', name: ''};
    this.toolbarEl.querySelectorAll('.chip').forEach((c) => c.classList.toggle('on', c.dataset.kind === 'lifecycle'));
    this.toolbarEl.querySelector('select[name="level"]').value = '';
    this.toolbarEl.querySelector('input[name="name"]').value = '';
    this.loadTimeline(true);
    this.listEl.scrollIntoView({block: 'center'});
  }

  // ---- the strip: the whole session, with its notable moments ---------------------------

  /**
   * The first notable records and, when there are more, the last ones too, so that how a
   * session ended (its last hangs, exceptions, crash) is always marked.
   */
  async loadStrip() {
    const params = {kind: [...LIFECYCLE, 'event', 'exception'].join(','), notable: 'true', limit: STRIP_MARKS};
    const first = await get(sessionPath(this.id) + '/timeline', params);
    this.marks = first.records;
    this.unmarked = null;
    if (first.next_cursor) {
      const latest = await get(sessionPath(this.id) + '/timeline', {...params, latest: 'true'});
      const seen = new Set(first.records.map((r) => `${r.src}/${r.seq}`));
      const later = latest.records.filter((r) => !seen.has(`${r.src}/${r.seq}`));
      const lastFirst = first.records[first.records.length - 1];
      if (later.length && later.length === latest.records.length) this.unmarked = {from: lastFirst.ts, to: later[0].ts};
      this.marks = first.records.concat(later);
    }
    this.drawStrip();
  }

  drawStrip() {
    const from = this.start;
    const last = this.marks.length ? this.marks[this.marks.length - 1].ts : from;
    const to = Math.max(this.end(), last, from + 1);
    const x = (ts) => `${Math.min(100, Math.max(0, ((ts - from) / (to - from)) * 100))}%`;
    const nodes = [h('div', {class: 'strip-track'})];
    const hangStart = {};
    for (const r of this.marks) {
      if (r.kind === 'hang') {
        hangStart.ts = r.ts;
        continue;
      }
      if (r.kind === 'recovered' && hangStart.ts) {
        nodes.push(h('div', {class: 'strip-mark hang', title: `hang, ${duration(r.duration_ms)}`,
          style: {left: x(hangStart.ts), width: `calc(${x(r.ts)} - ${x(hangStart.ts)} + 3px)`}}));
        hangStart.ts = null;
      }
      const cls = r.kind === 'event' ? r.level : r.kind;
      nodes.push(h('div', {class: `strip-mark ${cls}`, style: {left: x(r.ts)},
        title: `${offset(r.ts, this.start)} ${r.kind === 'event' || r.kind === 'exception' ? r.name : r.kind}`,
        onclick: (e) => { e.stopPropagation(); this.select(r); }}));
    }
    if (hangStart.ts) nodes.push(h('div', {class: 'strip-mark hang', style: {left: x(hangStart.ts), width: `calc(100% - ${x(hangStart.ts)})`}}));
    if (this.unmarked) {
      nodes.push(h('div', {class: 'strip-unmarked', id: 'strip-unmarked',
        title: 'Not every notable record of this stretch is marked: drag across it to list them in the timeline',
        style: {left: x(this.unmarked.from), width: `calc(${x(this.unmarked.to)} - ${x(this.unmarked.from)})`}}));
    }
    if (this.range.from !== null) {
      nodes.push(h('div', {class: 'strip-sel', style: {left: x(this.range.from), width: `calc(${x(this.range.to)} - ${x(this.range.from)})`}}));
    }
    nodes.push(h('div', {class: 'strip-axis'}, h('span', {}, time(from)), h('span', {}, duration((to - from) / 1000)), h('span', {}, time(to))));
    replace(this.stripEl, ...nodes);
    this.stripEl.onmousedown = (e) => this.brush(e, from, to);
  }

  brush(e, from, to) {
    const rect = this.stripEl.getBoundingClientRect();
    const at = (clientX) => from + ((Math.min(rect.right, Math.max(rect.left, clientX)) - rect.left) / rect.width) * (to - from);
    const x0 = e.clientX;
    const sel = h('div', {class: 'strip-sel'});
    this.stripEl.appendChild(sel);
    const move = (ev) => {
      const l = Math.min(x0, ev.clientX) - rect.left;
      Object.assign(sel.style, {left: `${Math.max(0, l)}px`, width: `${Math.abs(ev.clientX - x0)}px`});
    };
    const up = (ev) => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
      sel.remove();
      if (Math.abs(ev.clientX - x0) < 4) return;
      this.zoom(Math.floor(at(Math.min(x0, ev.clientX))), Math.ceil(at(Math.max(x0, ev.clientX))));
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  }

  zoom(from, to) {
    this.range = {from, to};
    replace(this.rangeEl, `${offset(from, this.start)} – ${offset(to, this.start)} `,
      h('button', {type: 'button', class: 'btn small', onclick: () => this.zoom(null, null)}, 'Show all'));
    if (from === null) replace(this.rangeEl);
    this.drawStrip();
    this.loadTimeline(true);
    this.loadCharts();
  }

  // ---- timeline -------------------------------------------------------------------------

  toolbar() {
    const chips = KIND_GROUPS.map(([key, label]) => h('button', {
      type: 'button', class: `chip${this.filter.kinds.has(key) ? ' on' : ''}`, 'data-kind': key,
      onclick: (e) => {
        if (this.filter.kinds.has(key)) this.filter.kinds.delete(key); else this.filter.kinds.add(key);
        e.currentTarget.classList.toggle('on');
        this.loadTimeline(true);
      },
    }, label));
    const level = h('select', {name: 'level', onchange: (e) => { this.filter.level = e.target.value; this.loadTimeline(true); }},
      LEVELS.map(([v, l]) => h('option', {value: v}, l)));
    const name = h('input', {type: 'search', name: 'name', placeholder: 'event name', size: 11,
      onchange: (e) => { this.filter.name = e.target.value.trim(); this.loadTimeline(true); }});
    this.toolbarEl = h('div', {class: 'toolbar timeline-filters'}, h('div', {class: 'chips'}, chips), level, name);
    return this.toolbarEl;
  }

  timelineParams() {
    const kinds = KIND_GROUPS.filter(([key]) => this.filter.kinds.has(key)).flatMap(([, , k]) => k);
    const params = {kind: kinds.join(','), limit: PAGE, from: this.range.from, to: this.range.to, name: this.filter.name};
    if (this.filter.level) params.level = LEVEL_ORDER.slice(LEVEL_ORDER.indexOf(this.filter.level)).join(',');
    return params;
  }

  async loadTimeline(reset) {
    if (reset) {
      this.cursor = null;
      this.loaded.clear();
      replace(this.listEl);
    }
    if (this.filter.kinds.size === 0) {
      replace(this.listFoot, 'Choose at least one kind of record to show.');
      return;
    }
    const page = await get(sessionPath(this.id) + '/timeline', {...this.timelineParams(), cursor: this.cursor});
    page.records.forEach((r) => this.appendRecord(r, false));
    this.cursor = page.next_cursor;
    this.renderListFoot();
  }

  renderListFoot() {
    const hint = this.filter.level || this.filter.name ? 'Level and name filters show events and exceptions only. ' : '';
    replace(this.listFoot,
      h('span', {'data-loaded': String(this.loaded.size)}, `${hint}${count(this.loaded.size)} shown`),
      this.cursor ? h('button', {type: 'button', class: 'btn', onclick: () => this.loadTimeline(false)}, 'Load more') : null,
      !this.cursor && this.source ? h('span', {}, 'New records appear here as they arrive.') : null);
  }

  /** Adds a record at the end of the list, once. */
  appendRecord(r, fresh) {
    const key = `${r.src}/${r.seq}`;
    if (this.loaded.has(key)) return;
    this.loaded.add(key);
    const el = timelineItem(r, this.start, () => this.select(r, el));
    el.dataset.key = key;
    if (fresh) el.classList.add('fresh');
    this.listEl.appendChild(el);
  }

  /** Whether a record that arrived live belongs at the end of the list as it is filtered now. */
  showsLive(r) {
    if (this.cursor || this.range.to !== null || r.kind === 'metric') return false;
    const group = KIND_GROUPS.find(([, , kinds]) => kinds.includes(r.kind));
    if (!group || !this.filter.kinds.has(group[0])) return false;
    const isEvent = r.kind === 'event' || r.kind === 'exception';
    if ((this.filter.level || this.filter.name) && !isEvent) return false;
    if (this.filter.level && LEVEL_ORDER.indexOf(r.level) < LEVEL_ORDER.indexOf(this.filter.level)) return false;
    return !this.filter.name || r.name === this.filter.name;
  }

  // ---- inspector ------------------------------------------------------------------------

  async select(r, el) {
    this.listEl.querySelectorAll('.selected').forEach((e) => e.classList.remove('selected'));
    const itemEl = el || this.listEl.querySelector(`[data-key="${CSS.escape(`${r.src}/${r.seq}`)}"]`);
    if (itemEl) itemEl.classList.add('selected');
    this.selected = r;
    const sections = [recordSection(r, this.start)];
    const stateBox = h('div', {class: 'section', id: 'state-at'}, h('h3', {}, 'State at this moment'), h('p', {class: 'muted'}, 'Loading…'));
    replace(this.inspectorEl, ...sections, stateBox);
    const params = r.kind === 'state' ? {src: r.src, seq: r.seq} : {ts: r.ts};
    try {
      const at = await get(sessionPath(this.id) + '/state/at', params);
      if (this.selected !== r) return;
      replace(stateBox, ...stateSections(r, at, this.start));
    } catch (e) {
      replace(stateBox, h('div', {class: 'error-box'}, e.message));
    }
  }

  // ---- charts ---------------------------------------------------------------------------

  async loadCharts() {
    const data = await get(sessionPath(this.id) + '/series', {points: 160, from: this.range.from, to: this.range.to});
    this.charts.forEach((c) => c.destroy());
    this.charts = [];
    if (data.series.length === 0) {
      replace(this.chartsEl, emptyChart(this.range.from ? 'No metric in this time range.' : 'This session logged no metrics.'));
      return;
    }
    const cards = data.series.map((s) => {
      const el = h('div', {class: 'chart', 'data-metric': s.name});
      return {s, el, card: h('section', {class: 'card chart-card'},
        h('div', {class: 'card-head'},
          h('div', {}, h('h2', {}, isolated(s.name), s.unit ? [' (', isolated(s.unit), ')'] : ''),
            h('div', {class: 'type'}, h('span', {class: 'type-name'}, s.type),
              s.tags.length ? [' · ', s.tags.flatMap((tag, i) => [i ? ', ' : null, isolated(tag)])] : '', ` — ${legendNote(s.type)}`)),
          h('div', {class: 'chart-summary'}, summaryItems(s))),
        el)};
    });
    replace(this.chartsEl, ...cards.map((c) => c.card));
    this.charts = cards.map(({s, el}) => seriesChart(el, s, data.from, data.to, (from, to) => this.zoom(from, to)));
  }

  // ---- live -----------------------------------------------------------------------------

  goLive() {
    this.source = new EventSource(sessionPath(this.id) + '/live');
    this.source.addEventListener('session', (e) => {
      const previous = this.session.status;
      this.session = JSON.parse(e.data);
      this.renderHead();
      if (previous !== this.session.status && this.session.status !== 'active') {
        this.later('incidents', () => this.loadIncidents(), 300);
      }
      if (this.session.status === 'ended' || this.session.status === 'crashed') {
        this.source.close();
        this.source = null;
        this.renderHead();
        this.renderListFoot();
      }
    });
    this.source.addEventListener('records', (e) => {
      const records = JSON.parse(e.data);
      let metrics = false;
      let notable = false;
      for (const r of records) {
        if (r.kind === 'metric') metrics = true;
        if (LIFECYCLE.includes(r.kind) || r.kind === 'exception' || ['warning', 'error', 'critical'].includes(r.level)) notable = true;
        if (this.showsLive(r)) this.appendRecord(r, true);
      }
      this.renderListFoot();
      // Coalesced: a busy session redraws its charts every few seconds, not on every batch.
      if (metrics && this.range.from === null) this.later('charts', () => this.loadCharts(), 2000);
      if (notable) this.later('strip', () => this.loadStrip(), 1000);
      if (records.some((r) => r.kind === 'hang' || r.kind === 'recovered')) this.later('incidents', () => this.loadIncidents(), 500);
    });
    const resync = () => {
      this.later('timeline', () => { if (!this.cursor) this.loadTimeline(true); }, 500);
      this.later('charts', () => this.loadCharts(), 1000);
      this.later('strip', () => this.loadStrip(), 1000);
    };
    this.source.addEventListener('gap', resync);
    this.source.addEventListener('overflow', resync);
    this.source.addEventListener('missed', resync);
    // The browser reconnects by itself after a network error; what was missed meanwhile is reloaded.
    this.source.addEventListener('open', () => { if (this.loaded.size) resync(); });
    this.renderHead();
    this.renderListFoot();
  }

  later(name, fn, ms) {
    if (this.timers[name]) return;
    this.timers[name] = setTimeout(() => {
      delete this.timers[name];
      fn();
    }, ms);
  }
}

// ---- pieces -----------------------------------------------------------------------------

function kindClass(r) {
  return r.kind === 'event' ? `k-${r.level || 'info'}` : `k-${r.kind}`;
}

function kindLabel(r) {
  if (r.kind === 'event') return r.level || 'info';
  if (r.kind === 'session_start') return 'start';
  return r.kind;
}

/** The title and the secondary line of a record in the timeline. */
function describe(r) {
  switch (r.kind) {
    case 'event': return [r.name, r.message || dataLine(r.data)];
    case 'exception': return [r.exception_type || r.name, r.exception_msg || r.message || ''];
    case 'state': return ['state update', patchLine(r.patch)];
    case 'hang': return [`hang on thread ${r.thread || '?'}`, `silent for ${duration(r.silent_ms)} (timeout ${duration(r.timeout_ms)}), detected by ${r.detected_by || '?'}`];
    case 'recovered': return ['recovered', `after ${duration(r.duration_ms)}`];
    case 'end': return ['session ended', r.reason || 'cleanly'];
    case 'crash': return [`crash: ${crashReason(r.reason)}`, r.message || ''];
    case 'session_start': return ['session started', [r.client, r.hostname, r.pid !== undefined ? `pid ${r.pid}` : null].filter(Boolean).join(' · ')];
    default: return [r.kind, ''];
  }
}

function dataLine(data) {
  if (!data || typeof data !== 'object') return '';
  return Object.entries(data).slice(0, 6).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join('  ');
}

function patchLine(patch) {
  const paths = [];
  const walk = (o, prefix) => {
    for (const [k, v] of Object.entries(o || {})) {
      if (paths.length > 8) return;
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v, `${prefix}${k}.`);
      else paths.push(`${prefix}${k}=${v === null ? '∅' : typeof v === 'object' ? JSON.stringify(v) : v}`);
    }
  };
  walk(patch, '');
  return paths.join('  ');
}

function timelineItem(r, start, onclick) {
  const [title, sub] = describe(r);
  return h('div', {class: 'tl-item', onclick, 'data-kind': r.kind},
    h('span', {class: 'tl-time', title: r.timestamp}, offset(r.ts, start)),
    h('span', {class: `tl-kind ${kindClass(r)}`}, kindLabel(r)),
    h('div', {class: 'tl-main'}, h('div', {class: 'tl-title', title}, title), sub ? h('div', {class: 'tl-sub', title: sub}, sub) : null));
}

const COMMON = new Set(['seq', 'src', 'kind', 'ts', 'timestamp']);

function recordSection(r, start) {
  const [title] = describe(r);
  const fields = {};
  for (const [k, v] of Object.entries(r)) if (!COMMON.has(k) && k !== 'stacktrace' && k !== 'stack') fields[k] = v;
  const trace = r.stacktrace || r.stack;
  return h('div', {class: 'section', id: 'record-detail'},
    h('div', {class: 'toolbar'}, h('span', {class: `tl-kind ${kindClass(r)}`}, kindLabel(r)),
      h('h2', {}, title), h('span', {class: 'muted mono', style: {marginLeft: 'auto'}, title: r.timestamp}, offset(r.ts, start))),
    h('div', {class: 'kv', style: {marginTop: '10px'}},
      h('span', {class: 'k'}, 'Time'), h('span', {}, r.timestamp),
      h('span', {class: 'k'}, 'Record'), h('span', {class: 'mono'}, `${r.src} #${r.seq}`)),
    h('h3', {}, 'Data'),
    h('pre', {class: 'json', id: 'record-json'}, JSON.stringify(fields, null, 2)),
    trace ? [h('h3', {style: {marginTop: '12px'}}, 'Stack trace'), stackTrace(trace)] : null);
}

function stateSections(r, at, start) {
  if (!at.update) {
    return [h('h3', {}, 'State at this moment'), h('p', {class: 'muted'}, 'No state had been set yet.')];
  }
  const own = r.kind === 'state';
  const label = own ? 'What this update changed'
    : `Last update before this moment (${offset(at.update.ts, start)}) changed`;
  return [
    h('h3', {}, label),
    diffTable(at.changes, at.changes_truncated),
    h('h3', {style: {marginTop: '14px'}}, own ? 'Whole state after this update' : 'Whole state at this moment'),
    h('pre', {class: 'json', id: 'state-json'}, JSON.stringify(at.state, null, 2)),
  ];
}

function diffTable(changes, truncated) {
  if (changes.length === 0) return h('p', {class: 'muted'}, 'Nothing: the values were already set.');
  const value = (v) => (v === undefined ? '' : isolated(JSON.stringify(v)));
  return h('div', {},
    h('table', {class: 'diff', id: 'state-diff'},
      h('tbody', {}, changes.map((c) => h('tr', {class: c.change},
        h('td', {class: 'path'}, h('span', {class: 'change-tag'}, c.change === 'added' ? '+' : c.change === 'removed' ? '−' : '~'),
          isolated(c.path)),
        h('td', {}, c.change === 'changed' ? [h('span', {class: 'before'}, value(c.before)), ' → ', value(c.after)]
          : c.change === 'removed' ? h('span', {class: 'before'}, value(c.before)) : value(c.after)))))),
    truncated ? h('p', {class: 'muted'}, 'Only the first 1,000 changes are listed.') : null);
}

/** A stack trace, cause lines and the app's own frames stand out. */
function stackTrace(lines) {
  return h('pre', {class: 'stack-trace'}, lines.map((line) => {
    const trimmed = line.trim();
    const cls = /^(Caused by|Suppressed):/.test(trimmed) || !trimmed.startsWith('at ') && !trimmed.startsWith('...') ? 'cause'
      : /\b(java|javax|jdk|sun|kotlin)\.|java\.base/.test(trimmed) ? 'frame-lib' : 'frame-app';
    return h('div', {class: cls}, line);
  }));
}

/** Crash detail fields shown with a label of their own (client: CrashReporter; daemon: CrashReport, HsErrLog). */
const CRASH_FIELDS = [
  ['how', 'How it ended'],
  ['thread', 'Thread'],
  ['last_uncaught', 'Last uncaught exception'],
  ['pid', 'Process id'],
  ['detected_by', 'Detected by'],
  ['hs_err_file', 'JVM fatal error log'],
];
/** The names clients give a crash's stack: the Java client's uncaught exceptions, its System.exit calls. */
const STACK_FIELDS = ['stacktrace', 'stack'];

/** The crash's headline: its exception, or else its message. */
function crashHeadline(d) {
  if (!d.exception_type) return d.message || null;
  return d.exception_msg ? `${d.exception_type}: ${d.exception_msg}` : d.exception_type;
}

/** The crash message under the headline, unless the headline, the stack or the JVM's log says it already. */
function crashMessage(d, headline, saidElsewhere) {
  if (!d.message || saidElsewhere || d.message === headline) return null;
  // Clients often send the exception again as the message ("uncaught T: m").
  return d.exception_type && String(d.message).includes(String(d.exception_msg || d.exception_type)) ? null : d.message;
}

/** A detail value as text: strings as they are, anything else as JSON. */
function detailText(v) {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Everything a crash's detail carries: the exception or message as the headline, the known
 * fields with labels, the stack (under either name), the head of the JVM's fatal error log,
 * and every other key a client sent, as it sent it.
 */
function crashCard(s) {
  const d = s.crash_detail || {};
  const headline = crashHeadline(d);
  const stackField = STACK_FIELDS.find((k) => Array.isArray(d[k]));
  const hsErrHead = typeof d.hs_err_head === 'string' ? d.hs_err_head : null;
  const message = crashMessage(d, headline, stackField || hsErrHead);
  const shown = new Set(['message', stackField, hsErrHead && 'hs_err_head', ...CRASH_FIELDS.map(([k]) => k),
    ...(d.exception_type ? ['exception_type', 'exception_msg'] : [])]);
  const fields = [
    ...CRASH_FIELDS.filter(([k]) => d[k] !== undefined).map(([k, label]) => [h('span', {class: 'k'}, label), d[k]]),
    ...Object.keys(d).filter((k) => !shown.has(k)).map((k) => [h('span', {class: 'k mono'}, isolated(k)), d[k]]),
  ];
  return h('section', {class: 'card incident', id: 'crash'},
    h('div', {class: 'card-head'}, h('h2', {}, h('span', {class: 'badge crashed'}, 'crashed'), crashReason(s.crash_reason)),
      h('span', {class: 'muted', style: {marginLeft: 'auto'}}, date(s.ended_at))),
    h('div', {class: 'card-body'},
      headline ? h('div', {class: 'incident-msg'}, headline) : null,
      fields.length ? h('div', {class: 'kv', id: 'crash-detail'},
        fields.map(([label, v]) => [label, h('span', {class: 'mono'}, isolated(detailText(v)))])) : null,
      stackField ? stackTrace(d[stackField].map(detailText)) : null,
      hsErrHead ? [h('h3', {style: {margin: '12px 0 8px'}}, 'Head of the JVM fatal error log'),
        h('pre', {class: 'stack-trace'}, hsErrHead)] : null,
      message ? h('p', {}, message) : null));
}

function hangCards(records, start) {
  const cards = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r.kind !== 'hang') continue;
    const next = records.slice(i + 1).find((x) => x.kind === 'recovered');
    cards.push(h('section', {class: 'card incident hang', 'data-hang': String(r.seq)},
      h('div', {class: 'card-head'},
        h('h2', {}, h('span', {class: 'badge hung'}, 'hang'), h('span', {}, 'Thread ', isolated(r.thread || '?'), ' stopped heartbeating')),
        h('span', {class: 'muted', style: {marginLeft: 'auto'}},
          `at ${offset(r.ts, start)} · ${next ? `recovered after ${duration(next.duration_ms)}` : 'not recovered'}`)),
      h('div', {class: 'card-body'},
        h('div', {class: 'kv'},
          h('span', {class: 'k'}, 'Silent for'), h('span', {}, `${duration(r.silent_ms)} (hang timeout ${duration(r.timeout_ms)})`),
          h('span', {class: 'k'}, 'Detected by'), h('span', {}, isolated(r.detected_by || '—')),
          h('span', {class: 'k'}, 'Hang duration'), h('span', {}, next ? duration(next.duration_ms) : 'still hung or never reported')),
        r.stack && r.stack.length ? stackTrace(r.stack) : null)));
  }
  return cards;
}

function summaryItems(s) {
  const m = s.summary;
  const item = (k, v) => h('span', {}, `${k} `, h('b', {}, num(v)));
  switch (s.type) {
    case 'counter': return [item('total', m.total), item('per s', m.rate)];
    case 'histogram':
    case 'timer': return [item('p50', m.p50), item('p95', m.p95), item('p99', m.p99), item('max', m.max)];
    default: return [item('avg', m.avg), item('min', m.min), item('max', m.max)];
  }
}
