// Numbers, times and durations as people read them.

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const thisYear = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit', second: '2-digit'});
const dayMonth = new Intl.DateTimeFormat(undefined, {month: 'short', day: '2-digit'});
const hourMinute = new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit'});
const subSecond = [1, 2, 3].map((digits) => new Intl.DateTimeFormat(undefined,
  {hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: digits}));
const integer = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});

export function date(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return (d.getFullYear() === new Date().getFullYear() ? thisYear : dateTime).format(d);
}

export function time(micros) {
  return timeOnly.format(new Date(micros / 1000));
}

/** A chart's tick at a time (s), on one line, as precise as the step between ticks (s) needs. */
export function tick(seconds, step) {
  const d = new Date(seconds * 1000);
  if (step >= 86400) return dayMonth.format(d);
  if (step >= 60) return hourMinute.format(d);
  if (step >= 1) return timeOnly.format(d);
  const digits = Math.ceil(-Math.log10(step) - 1e-9); // 0.5 and 0.1 s: tenths; 0.05 s: hundredths
  return subSecond[Math.min(3, digits) - 1].format(d);
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
  // Each unit rounds the whole duration before splitting it, so 59.96 s reads "1 min 00 s", never "60.0 s".
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The offset of a record from the session's start: "+01:02.345". */
export function offset(micros, startMicros) {
  // Rounded to the ms before the minutes are split off, so 59.9996 s reads "+01:00.000", never "+00:60.000".
  const ms = Math.round(Math.max(0, (micros - startMicros) / 1000));
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
