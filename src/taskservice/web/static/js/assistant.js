// The assistant panel: a chat that streams POST /agent/stream, shows handoffs and
// tool calls as small steps, asks for approvals, lists conversations to resume,
// and stops a run (once the server gives the run an id).

import { ApiError } from "./api.js";
import { formatDateTime, h, replaceChildren } from "./dom.js";
import { warn } from "./notices.js";
import { readEvents } from "./sse.js";
import { traceDisclosure } from "./trace.js";
import { Turn } from "./turn.js";

export class Assistant {
  /**
   * @param root the assistant's section
   * @param api an Api
   * @param onTasksChanged called when the agent may have changed tasks
   */
  constructor(root, api, onTasksChanged) {
    this.api = api;
    this.onTasksChanged = onTasksChanged;
    this.log = root.querySelector("#chat-log");
    this.form = root.querySelector("#chat-form");
    this.message = root.querySelector("#chat-message");
    this.sendButton = root.querySelector("#chat-send");
    this.stopButton = root.querySelector("#chat-stop");
    this.conversations = root.querySelector("#conversations");
    this.conversationList = root.querySelector("#conversation-list");
    this.focusLine = root.querySelector("#focus");
    this.sessionId = null;
    this.focusTask = null;
    this.runId = null;
    this.controller = null;

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.message.value.trim();
      if (text && !this.controller) this.send(text);
    });
    this.message.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.stopButton.addEventListener("click", () => this.stop());
    root.querySelector("#new-conversation").addEventListener("click", () => this.newConversation());
    this.conversations.addEventListener("toggle", () => {
      if (this.conversations.open) this.listConversations();
    });
    this.clearLog();
  }

  clearLog() {
    replaceChildren(
      this.log,
      h(
        "li",
        { class: "msg hint" },
        "Ask in plain words: “add a task to buy milk tomorrow”, “what is overdue?”, “mark task 3 as done”.",
      ),
    );
  }

  /** Start afresh; with a task, the new conversation is about that task. */
  newConversation(task = null) {
    this.controller?.abort();
    this.sessionId = null;
    this.focusTask = task;
    this.clearLog();
    this.showFocus();
    this.conversations.open = false;
    this.message.focus();
  }

  showFocus() {
    const task = this.focusTask;
    this.focusLine.hidden = !task;
    if (!task) return;
    replaceChildren(
      this.focusLine,
      `About task #${task.id} “${task.title}” `,
      h(
        "button",
        {
          type: "button",
          class: "link",
          "aria-label": `Stop talking about “${task.title}”`,
          onclick: () => {
            this.focusTask = null;
            this.showFocus();
          },
        },
        "×",
      ),
    );
  }

  async listConversations() {
    let sessions;
    try {
      sessions = await this.api.get("/agent/sessions", { limit: 50 });
    } catch (error) {
      replaceChildren(this.conversationList, h("li", { class: "error" }, error.message));
      return;
    }
    if (!sessions.length) {
      replaceChildren(this.conversationList, h("li", { class: "muted" }, "No conversations yet."));
      return;
    }
    replaceChildren(
      this.conversationList,
      sessions.map((session) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "conversation",
              "aria-current": session.id === this.sessionId ? "true" : null,
              onclick: () => this.resume(session.id),
            },
            h("span", { class: "conversation-title" }, session.title),
            h(
              "small",
              {},
              formatDateTime(session.updated_at),
              session.pending_approvals ? ` · ${session.pending_approvals} waiting for you` : "",
            ),
          ),
        ),
      ),
    );
  }

  /** Show a stored conversation and continue it. */
  async resume(sessionId) {
    let session;
    try {
      session = await this.api.json("GET", `/agent/sessions/${encodeURIComponent(sessionId)}`);
    } catch (error) {
      warn(`Could not open the conversation: ${error.message}`);
      return;
    }
    this.controller?.abort();
    this.sessionId = session.id;
    this.focusTask = null;
    this.showFocus();
    this.conversations.open = false;
    replaceChildren(this.log);
    let turn = null;
    for (const item of session.messages) {
      if (item.type === "message" && item.role === "user") {
        this.log.append(h("li", { class: "msg user" }, item.content ?? ""));
        turn = null;
        continue;
      }
      turn ??= this.newTurn();
      if (item.type === "message") turn.appendText(item.content ?? "");
      else if (item.type === "tool_call") turn.storedCall(item);
    }
    for (const approval of session.approvals) {
      (turn ??= this.newTurn()).approval(approval, (decision) => this.decide(approval, decision));
    }
    turn?.finish();
    this.message.focus();
  }

  newTurn() {
    const turn = new Turn();
    this.log.append(turn.element);
    return turn;
  }

  async send(text) {
    this.log.querySelector(".hint")?.remove();
    this.log.append(h("li", { class: "msg user" }, text));
    this.message.value = "";
    const turn = this.newTurn();
    const body = { message: text };
    if (this.sessionId) body.session_id = this.sessionId;
    else if (this.focusTask) body.task_id = this.focusTask.id;
    this.running(true);
    let finished = false;
    try {
      const response = await this.api.stream("/agent/stream", body, this.controller.signal);
      for await (const event of readEvents(response.body)) {
        let data;
        try {
          data = JSON.parse(event.data);
        } catch {
          continue;
        }
        finished = this.handle(event.event, data, turn) || finished;
      }
      if (!finished) turn.error("The reply was cut off before it finished.");
    } catch (error) {
      if (error.name === "AbortError") turn.error("Stopped.");
      else turn.error(explain(error));
    } finally {
      this.running(false);
      turn.finish();
    }
  }

  /** One server-sent event; true when it ends the run. */
  handle(type, data, turn) {
    if (data && typeof data === "object" && data.run_id) this.setRun(data.run_id);
    if (data?.session_id && type !== "error") this.sessionId = data.session_id;
    switch (type) {
      case "agent_updated":
        turn.working(data.agent);
        return false;
      case "handoff":
        turn.step(`${data.from} handed over to ${data.to}`);
        return false;
      case "tool_called":
        turn.toolCalled(data);
        return false;
      case "tool_output":
        turn.toolOutput(data);
        this.onTasksChanged();
        return false;
      case "text_delta":
        turn.appendText(data.delta);
        return false;
      case "approval_required":
        turn.approval(data, (decision) => this.decide(data, decision));
        return false;
      case "done":
        turn.done(data, (approval, decision) => this.decide(approval, decision));
        this.showTrace(turn, data.run_id);
        if (data.tool_calls?.length) this.onTasksChanged();
        return true;
      case "error":
        if (data.session_id) this.sessionId = data.session_id;
        turn.error(data.detail || data.title || "The assistant failed.");
        this.showTrace(turn, data.run_id);
        return true;
      default:
        return false; // an event type this page does not know yet
    }
  }

  /** A "Trace" disclosure under the answer of a finished run. */
  showTrace(turn, runId) {
    if (!runId) return;
    const path = `/agent/runs/${encodeURIComponent(runId)}/trace`;
    turn.element.append(traceDisclosure(() => this.api.json("GET", path)));
  }

  setRun(runId) {
    this.runId = runId;
    this.stopButton.hidden = !this.controller;
    this.stopButton.disabled = false;
  }

  running(on) {
    if (on) {
      this.controller = new AbortController();
      this.runId = null;
    } else {
      this.controller = null;
      this.runId = null;
    }
    // Stop appears only once the server has named the run (run_started).
    this.stopButton.hidden = true;
    this.sendButton.disabled = on;
    this.log.setAttribute("aria-busy", on ? "true" : "false");
  }

  async stop() {
    if (!this.runId) return;
    this.stopButton.disabled = true;
    try {
      await this.api.json("POST", `/agent/runs/${encodeURIComponent(this.runId)}/cancel`);
    } catch (error) {
      this.stopButton.disabled = false;
      warn(`Could not stop the run: ${error.message}`);
    }
  }

  /** Approve or reject one pending tool call; the run goes on and its reply shows. */
  async decide(approval, approve) {
    if (!this.sessionId) return false;
    const turn = this.newTurn();
    turn.working("assistant");
    try {
      const reply = await this.api.json(
        "POST",
        `/agent/sessions/${encodeURIComponent(this.sessionId)}/approvals`,
        { body: { decisions: [{ id: approval.id, approve }] } },
      );
      turn.done(reply, (next, decision) => this.decide(next, decision), { showCalls: true });
      this.showTrace(turn, reply.run_id);
      this.onTasksChanged();
      return true;
    } catch (error) {
      turn.error(error.message);
      return false;
    } finally {
      turn.finish();
    }
  }
}

/** What a refused request means here, in the panel's words. */
function explain(error) {
  if (!(error instanceof ApiError)) return `Something went wrong: ${error.message}`;
  if (String(error.problem.type).endsWith(":approvals-pending")) {
    return (
      "This conversation is waiting for your decision above: approve or reject it " +
      "first, or start a new conversation."
    );
  }
  if (error.status === 429) return "Too many requests at once. Wait a moment and send it again.";
  return error.message;
}
