// The REST API over fetch: the API key as a bearer header, problems as ApiError.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }

  /** `{field: message}` from a 422's `errors` (`body.title` -> `title`). */
  get fieldErrors() {
    const errors = {};
    for (const error of this.problem.errors ?? []) {
      const field = String(error.field).split(".")[1] ?? error.field;
      errors[field] ??= error.message;
    }
    return errors;
  }
}

/** The entity tag of a task, as the API computes it (`"<id>.<version>"`). */
export function etagOf(task) {
  return `"${task.id}.${task.version}"`;
}

/** "?a=1&b=x&b=y" from an object; empty, null and false values are left out. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null || item === "" || item === false) continue;
      search.append(name, String(item));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export class Api {
  /**
   * @param {() => string | null} getKey the API key, or null when signed out
   * @param {(error: ApiError) => void} onUnauthorized called on every 401
   */
  constructor(getKey, onUnauthorized) {
    this.getKey = getKey;
    this.onUnauthorized = onUnauthorized;
  }

  headers(extra = {}) {
    const headers = { Accept: "application/json, application/problem+json", ...extra };
    const key = this.getKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    return headers;
  }

  async send(method, path, { body, ifMatch, headers = {}, signal, accept } = {}) {
    const extra = { ...headers };
    if (body !== undefined) extra["Content-Type"] = "application/json";
    if (ifMatch) extra["If-Match"] = ifMatch;
    if (accept) extra.Accept = accept;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: this.headers(extra),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        cache: "no-store",
      });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ApiError(0, { detail: "The server cannot be reached. Check your connection." });
    }
    if (!response.ok) await this.fail(response);
    return response;
  }

  async fail(response) {
    let problem;
    try {
      problem = await response.json();
    } catch {
      problem = { detail: `${response.status} ${response.statusText}` };
    }
    const error = new ApiError(response.status, problem);
    if (response.status === 401) this.onUnauthorized(error);
    throw error;
  }

  /** A JSON request: resolves to the parsed body (null for 204). */
  async json(method, path, options = {}) {
    const response = await this.send(method, path, options);
    return response.status === 204 ? null : response.json();
  }

  get(path, params = {}) {
    return this.json("GET", `${path}${query(params)}`);
  }

  /** POST /agent/stream and friends: the response, to be read as server-sent events. */
  stream(path, body, signal) {
    return this.send("POST", path, { body, signal, accept: "text/event-stream" });
  }
}
