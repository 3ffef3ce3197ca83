// The DataCat single-page app: a router over the History API, so every view has a URL that
// can be shared (filters live in the query string), and the theme switch.
import {h, replace} from './dom.js';
import {renderOverview} from './overview.js';
import {renderSessions} from './sessions.js';
import {renderSession} from './session.js';
import {renderMetrics} from './metrics.js';

const app = document.getElementById('app');
let leaveView = null;
// The views load their content after the page is shown, too late for the browser's own
// restoring of the scroll position: each history entry keeps its own (see remember).
history.scrollRestoration = 'manual';

const routes = [
  {pattern: /^\/$/, nav: 'overview', render: (ctx) => renderOverview(ctx)},
  {pattern: /^\/sessions$/, nav: 'sessions', render: (ctx) => renderSessions(ctx)},
  {pattern: /^\/sessions\/([^/]+)$/, nav: 'sessions', render: (ctx, id) => renderSession(ctx, decodeURIComponent(id))},
  {pattern: /^\/metrics$/, nav: 'metrics', render: (ctx) => renderMetrics(ctx)},
];

/** Shows the view of the current URL, after letting the previous one clean up (live streams, charts). */
async function show() {
  if (leaveView) {
    leaveView();
    leaveView = null;
  }
  const path = location.pathname;
  const route = routes.find((r) => r.pattern.test(path));
  document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('current', route && a.dataset.nav === route.nav));
  if (!route) {
    replace(app, h('div', {class: 'empty'}, 'There is no page here. ', h('a', {href: '/', 'data-link': true}, 'Go to the overview')));
    return;
  }
  const ctx = {
    root: app,
    params: new URLSearchParams(location.search),
    navigate,
    remember,
    remembered: history.state || {},
    onLeave: (fn) => { leaveView = fn; },
  };
  try {
    await route.render(ctx, ...path.match(route.pattern).slice(1));
  } catch (e) {
    replace(app, h('div', {class: 'error-box'}, `Could not load this page: ${e.message}`));
  }
  window.scrollTo(0, (history.state && history.state.scrollY) || 0);
}

/**
 * Keeps values in the current history entry, for when Back (or a reload) comes back to it:
 * the scroll position, and what a view needs to show it as it was (the rows a list had loaded).
 */
function remember(values) {
  history.replaceState({...history.state, ...values}, '');
}

/** Goes to a path of the app; replace=true changes the URL without a new history entry (filters). */
export function navigate(path, replaceEntry = false) {
  if (replaceEntry) {
    history.replaceState(null, '', path);
  } else {
    remember({scrollY: window.scrollY});
    history.pushState(null, '', path);
  }
  show();
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', show);
window.addEventListener('pagehide', () => remember({scrollY: window.scrollY}));

// Theme: dark by default, remembered per browser.
const toggle = document.getElementById('theme-toggle');
function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  toggle.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
  document.dispatchEvent(new CustomEvent('datacat-theme'));
}
toggle.addEventListener('click', () => {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  try { localStorage.setItem('datacat-theme', next); } catch (e) { /* private mode: not remembered */ }
  applyTheme(next);
});
let saved = null;
try { saved = localStorage.getItem('datacat-theme'); } catch (e) { /* not remembered */ }
applyTheme(saved === 'light' ? 'light' : 'dark');

show();
