// The task endpoints, with If-Match on every write.

import { etagOf } from "./api.js";

export class Tasks {
  constructor(api) {
    this.api = api;
  }

  list(params) {
    return this.api.get("/tasks", params);
  }

  get(id) {
    return this.api.json("GET", `/tasks/${id}`);
  }

  create(fields) {
    // A fresh key per submitted form: a retried request never makes a second task.
    return this.api.json("POST", "/tasks", {
      body: fields,
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
  }

  /** PATCH only `changes`, and only if `task` is still the current version (else 412). */
  update(task, changes) {
    return this.api.json("PATCH", `/tasks/${task.id}`, { body: changes, ifMatch: etagOf(task) });
  }

  remove(task) {
    return this.api.json("DELETE", `/tasks/${task.id}`, { ifMatch: etagOf(task) });
  }

  history(id) {
    return this.api.json("GET", `/tasks/${id}/history`);
  }
}

/** "work, #Q4  home" -> ["work", "q4", "home"] (the API lower-cases them too). */
export function parseTags(text) {
  return text
    .split(/[\s,]+/)
    .map((tag) => tag.replace(/^#/, "").toLowerCase())
    .filter(Boolean);
}
