/**
 * How a TypeScript program talks to taskservice with the types that openapi-typescript
 * generates from /openapi.json (`make sdk` writes them to build/sdk/typescript/schema.d.ts).
 *
 * Every request and response type below is taken from the generated `operations`, so a
 * schema change that would break such a program breaks `tsc --noEmit` on this file, which
 * tests/contract/test_typescript_types.py runs.
 *
 * Run it with Node >= 20 (fetch is built in) against a server:
 *   TASKSERVICE_URL=http://127.0.0.1:8000 TASKSERVICE_KEY=ts_... node usage.js
 */
import type { components, operations } from "@taskservice/schema";

type Schemas = components["schemas"];
export type Task = Schemas["TaskRead"];
export type NewTask = Schemas["TaskCreate"];
export type TaskChanges = Schemas["TaskPatch"];

type ListQuery = NonNullable<operations["list_tasks"]["parameters"]["query"]>;
type CreateHeaders = NonNullable<operations["create_task"]["parameters"]["header"]>;
type UpdateHeaders = NonNullable<operations["update_task"]["parameters"]["header"]>;
type DeleteHeaders = NonNullable<operations["delete_task"]["parameters"]["header"]>;

type Created = operations["create_task"]["responses"][201]["content"]["application/json"];
type Invalid = operations["create_task"]["responses"][422]["content"]["application/problem+json"];
type Page = operations["list_tasks"]["responses"][200]["content"]["application/json"];
type Found = operations["get_task"]["responses"][200]["content"]["application/json"];
type NotFound = operations["get_task"]["responses"][404]["content"]["application/problem+json"];
type Updated = operations["update_task"]["responses"][200]["content"]["application/json"];
type Stale = operations["update_task"]["responses"][412]["content"]["application/problem+json"];
type Gone = operations["delete_task"]["responses"][404]["content"]["application/problem+json"];
type AgentAsk = operations["ask_agent"]["requestBody"]["content"]["application/json"];
type AgentAnswer = operations["ask_agent"]["responses"][200]["content"]["application/json"];
type AgentRefused = operations["ask_agent"]["responses"][429]["content"]["application/problem+json"];
type Decisions = operations["decide_approvals"]["requestBody"]["content"]["application/json"];

/** A response: the body of a success, or the problem (RFC 9457) of a failure. */
export type Outcome<T, P> =
  | { ok: true; status: number; body: T; etag: string | null }
  | { ok: false; status: number; problem: P };

export class TaskService {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  createTask(task: NewTask, idempotencyKey?: string): Promise<Outcome<Created, Invalid>> {
    const headers: CreateHeaders = idempotencyKey === undefined ? {} : { "Idempotency-Key": idempotencyKey };
    return this.send("POST", "/tasks", { body: task, headers });
  }

  listTasks(query: ListQuery): Promise<Outcome<Page, Schemas["Problem"]>> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        search.append(name, String(item));
      }
    }
    return this.send("GET", `/tasks?${search.toString()}`, {});
  }

  /** Every task the query matches, page after page, following `next_cursor`. */
  async allTasks(query: Omit<ListQuery, "cursor">): Promise<Task[]> {
    const tasks: Task[] = [];
    let cursor: string | null = null;
    do {
      const page: Outcome<Page, Schemas["Problem"]> = await this.listTasks(
        cursor === null ? query : { ...query, cursor },
      );
      if (!page.ok) throw new Error(`${page.problem.title}: ${page.problem.detail}`);
      tasks.push(...page.body.items);
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    return tasks;
  }

  getTask(taskId: number): Promise<Outcome<Found, NotFound>> {
    return this.send("GET", `/tasks/${taskId}`, {});
  }

  /** A merge patch, applied only if the task is still at `etag` (else 412). */
  updateTask(taskId: number, changes: TaskChanges, etag: string): Promise<Outcome<Updated, Stale>> {
    const headers: UpdateHeaders = { "If-Match": etag };
    return this.send("PATCH", `/tasks/${taskId}`, {
      body: changes,
      headers,
      contentType: "application/merge-patch+json",
    });
  }

  deleteTask(taskId: number, etag?: string): Promise<Outcome<null, Gone>> {
    const headers: DeleteHeaders = etag === undefined ? {} : { "If-Match": etag };
    return this.send("DELETE", `/tasks/${taskId}`, { headers });
  }

  /** One turn with the agent; pass the returned `session_id` to continue the conversation. */
  askAgent(request: AgentAsk): Promise<Outcome<AgentAnswer, AgentRefused>> {
    return this.send("POST", "/agent", { body: request });
  }

  /** Approve or reject what a session's run waits for; the run resumes. */
  decide(sessionId: string, decisions: Decisions): Promise<Outcome<AgentAnswer, Schemas["Problem"]>> {
    return this.send("POST", `/agent/sessions/${encodeURIComponent(sessionId)}/approvals`, {
      body: decisions,
    });
  }

  private async send<T, P>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; contentType?: string },
  ): Promise<Outcome<T, P>> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.apiKey}`,
      ...options.headers,
    };
    if (options.body !== undefined) headers["Content-Type"] = options.contentType ?? "application/json";
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    if (!response.ok) {
      return { ok: false, status: response.status, problem: (await response.json()) as P };
    }
    const body = (response.status === 204 ? null : await response.json()) as T;
    return { ok: true, status: response.status, body, etag: response.headers.get("ETag") };
  }
}

export async function main(baseUrl: string, apiKey: string): Promise<void> {
  const service = new TaskService(baseUrl, apiKey);

  const created = await service.createTask(
    { title: "Write the quarterly report", priority: "high", due_date: "2026-12-04", tags: ["work"] },
    crypto.randomUUID(),
  );
  if (!created.ok) throw new Error(created.problem.detail);
  const report: Task = created.body;
  console.log(`created task ${report.id} at version ${report.version}, ETag ${created.etag}`);

  const firstPage = await service.listTasks({
    status: ["todo", "in_progress"],
    priority: ["high", "urgent"],
    tag: "work",
    sort: "-priority,due_date",
    limit: 20,
  });
  if (firstPage.ok) console.log(`${firstPage.body.total} urgent work tasks`);
  const everything = await service.allTasks({ sort: "title", limit: 100 });
  console.log(`all titles: ${everything.map((task) => task.title).join(", ")}`);

  const done = await service.updateTask(report.id, { status: "done", due_date: null }, created.etag ?? "*");
  if (done.ok) {
    console.log(`completed at ${done.body.completed_at ?? "never"}`);
  } else if (done.status === 412) {
    console.log(`someone changed it first: ${done.problem.detail}`);
  }

  const missing = await service.getTask(2_147_483_647);
  if (!missing.ok) console.log(`${missing.status} ${missing.problem.type}: ${missing.problem.detail}`);

  const invalid = await service.createTask({ title: "   ", tags: ["two words"] });
  if (!invalid.ok) {
    for (const error of invalid.problem.errors) {
      console.log(`${error.field}: ${error.message} (${error.type})`);
    }
  }

  const answer = await service.askAgent({ message: "what is overdue?", session_id: null });
  if (answer.ok) {
    const { reply, agent, handoffs, tool_calls, pending_approvals, session_id } = answer.body;
    console.log(`${agent} (via ${handoffs.map((h) => `${h.from}->${h.to}`).join(", ")}): ${reply}`);
    console.log(`tools: ${tool_calls.map((call) => call.name).join(", ")}`);
    if (pending_approvals.length > 0) {
      await service.decide(session_id, {
        decisions: pending_approvals.map((approval) => ({ id: approval.id, approve: false })),
      });
    }
  } else if (answer.status === 429) {
    console.log(`busy: ${answer.problem.detail}`);
  }

  const deleted = await service.deleteTask(report.id, done.ok ? (done.etag ?? undefined) : undefined);
  console.log(deleted.ok ? "deleted" : `not deleted: ${deleted.problem.detail}`);
}
