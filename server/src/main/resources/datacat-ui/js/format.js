// Numbers, times and durations as people read them.

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const thisYear = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit', second: '2-digit'});
const integer = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});

export function date(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return (d.getFullYear() === new Date().getFullYear() ? thisYear : dateTime).format(d);
}

export function time(micros) {
  return timeOnly.format(new Date(micros / 1000));
}

/** "2 min ago", "3 h ago", or the date for older times. */
export function ago(iso) {
  if (!iso) return '—';
  const s = (Date.now() - new Date(iso).getTime()) / 1000;
  if (s < 0) return date(iso);
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return date(iso);
}

/** A duration in ms: "850 ms", "12.4 s", "3 min 05 s", "2 h 10 min". */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The offset of a record from the session's start: "+01:02.345". */
export function offset(micros, startMicros) {
  const ms = Math.max(0, (micros - startMicros) / 1000);
  const m = Math.floor(ms / 60000);
  const s = (ms % 60000) / 1000;
  return `+${String(m).padStart(2, '0')}:${s.toFixed(3).padStart(6, '0')}`;
}

export function count(n) {
  return n === null || n === undefined ? '—' : integer.format(n);
}

/** A measurement with up to 3 significant decimals. */
export function num(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1000) return integer.format(v);
  if (a >= 100) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

export function percent(rate) {
  if (rate === null || rate === undefined) return '—';
  const p = rate * 100;
  if (p === 100) return '100 %';
  // From 99 % up two decimals, never rounded up to 100: 99.996 % crash-free has crashes.
  return p >= 99 ? `${Math.min(99.99, Math.round(p * 100) / 100).toFixed(2)} %` : `${p.toFixed(1)} %`;
}

export function micros(iso) {
  return iso ? new Date(iso).getTime() * 1000 : null;
}

export function shortId(id) {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

const REASONS = {
  uncaught_exception: 'Uncaught exception',
  killed: 'Killed',
  fatal_error: 'JVM fatal error',
  process_exited: 'Exited without end()',
  exit_without_end: 'Exited without end()',
  abnormal_termination: 'Abnormal termination',
};

export function crashReason(reason) {
  return REASONS[reason] || reason || 'Crashed';
}
