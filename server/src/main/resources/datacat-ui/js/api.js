// The JSON API. Errors come back as {"error": "..."}; they are thrown as ApiError.

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

export async function get(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') q.set(k, v);
  }
  const url = q.toString() ? `${path}?${q}` : path;
  let res;
  try {
    res = await fetch(url, {headers: {Accept: 'application/json'}});
  } catch (e) {
    throw new ApiError(0, 'the DataCat server cannot be reached');
  }
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    throw new ApiError(res.status, `the server answered ${res.status} without JSON`);
  }
  if (!res.ok) throw new ApiError(res.status, body && body.error || `HTTP ${res.status}`, body && body.field);
  return body;
}

export const sessionPath = (id) => `/api/sessions/${encodeURIComponent(id)}`;
