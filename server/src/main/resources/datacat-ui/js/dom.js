// Building DOM nodes without HTML parsing: every string becomes a text node or a property,
// so a value a client sent (names, messages, state, stack traces) is always shown as text.
// Where such a value stands among other text, isolated() keeps its direction to itself.

/**
 * h('a', {href: '/x', class: 'link', onclick: fn}, 'text', child) → element.
 * Attributes named on* take functions (event listeners); "class", "dataset" and "style"
 * objects are handled; null/undefined/false children and attributes are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'style') {
      Object.assign(el.style, value);
    } else if (key === 'href') {
      el.setAttribute('href', safeHref(value));
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) {
      append(el, child);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
}

/** Only links within this server: a path, never a javascript: or other scheme. */
function safeHref(value) {
  const s = String(value);
  return s.startsWith('/') && !s.startsWith('//') ? s : '#';
}

/**
 * A value a client sent, set apart from the text around it: a <bdi> takes its direction from
 * its own first strong character and is isolated from its neighbours, so a right-to-left name
 * or a bidi control (U+202E …) in the value reorders only the value, never the page around it.
 */
export function isolated(value) {
  return value === null || value === undefined ? value : h('bdi', {}, String(value));
}

/** Replaces an element's content. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A link handled by the app's router. */
export function link(href, ...children) {
  return h('a', {href, 'data-link': true}, ...children);
}

/** A path with a query string built from the non-empty entries of params. */
export function pathWith(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
