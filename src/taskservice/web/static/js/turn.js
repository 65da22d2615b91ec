// One answer of the assistant in the chat log: its steps (handoffs, tool calls),
// its text as it streams, the approvals it waits for, or what went wrong.

import { h, replaceChildren } from "./dom.js";

/** "create_task · title: buy milk, priority: high" (arguments that are set). */
export function describeCall(name, args) {
  const text = (value) => {
    if (Array.isArray(value)) return value.join(", ");
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  };
  const shown = Object.entries(args ?? {})
    .filter(([, value]) => value !== null && value !== undefined && text(value) !== "")
    .map(([key, value]) => `${key}: ${text(value)}`);
  return shown.length ? `${name} · ${shown.join(", ")}` : name;
}

function parseArguments(text) {
  try {
    return JSON.parse(text || "{}");
  } catch {
    return {};
  }
}

export class Turn {
  constructor() {
    this.status = h("p", { class: "working", hidden: true });
    this.steps = h("ol", { class: "steps", "aria-label": "Steps" });
    this.text = h("div", { class: "reply" });
    this.approvals = h("div", { class: "approvals" });
    this.element = h("li", { class: "msg assistant" }, this.status, this.steps, this.text, this.approvals);
    this.calls = new Map();
    this.shownApprovals = new Set();
  }

  working(agent) {
    this.status.hidden = false;
    this.status.textContent = `${agent} is working…`;
  }

  step(text, className = "") {
    const item = h("li", { class: `step ${className}`.trim() }, text);
    this.steps.append(item);
    return item;
  }

  toolCalled({ id, agent, name, arguments: args }) {
    const state = h("span", { class: "step-state" }, " …");
    const item = this.step([`${agent}: ${describeCall(name, args)}`, state], "tool");
    this.calls.set(id, { item, state });
  }

  toolOutput({ id, output }) {
    const call = this.calls.get(id);
    if (!call) return;
    const failed = output && typeof output === "object" && "error" in output;
    call.state.textContent = failed ? ` failed: ${output.error}` : " ✓";
    call.item.classList.add(failed ? "failed" : "ok");
  }

  /** A tool call from a stored conversation (GET /agent/sessions/{id}). */
  storedCall({ name, arguments: args }) {
    if (name?.startsWith("transfer_to_")) this.step(`handed over to ${name.slice("transfer_to_".length)}`);
    else this.step(describeCall(name, parseArguments(args)), "tool");
  }

  appendText(delta) {
    this.text.textContent += delta;
  }

  /** A pending tool call with Approve and Reject; `decide(approve)` resolves true once done. */
  approval(pending, decide) {
    if (this.shownApprovals.has(pending.id)) return;
    this.shownApprovals.add(pending.id);
    const call = this.calls.get(pending.id);
    if (call) call.state.textContent = " (waits for your approval)";
    const what = pending.description || describeCall(pending.tool, pending.arguments);
    const outcome = h("p", { class: "outcome", role: "status" });
    const approve = h("button", { type: "button", class: "primary" }, "Approve");
    const reject = h("button", { type: "button" }, "Reject");
    const card = h(
      "div",
      { class: "approval", role: "group", "aria-label": `Approval needed: ${what}` },
      h("p", {}, h("strong", {}, "Approval needed: "), what),
      h("div", { class: "approval-actions" }, approve, reject),
      outcome,
    );
    const choose = async (yes) => {
      approve.disabled = reject.disabled = true;
      outcome.textContent = yes ? "Approving…" : "Rejecting…";
      if (await decide(yes)) {
        outcome.textContent = yes ? "You approved this." : "You rejected this.";
        approve.remove();
        reject.remove();
      } else {
        outcome.textContent = "";
        approve.disabled = reject.disabled = false;
      }
    };
    approve.addEventListener("click", () => choose(true));
    reject.addEventListener("click", () => choose(false));
    this.approvals.append(card);
  }

  /** The run's AgentReply: its text if none streamed, and any approvals not shown yet. */
  done(reply, decide, { showCalls = false } = {}) {
    if (showCalls) {
      for (const call of reply.tool_calls ?? []) {
        this.toolCalled(call);
        this.toolOutput(call);
      }
    }
    if (!this.text.textContent) this.text.textContent = reply.reply;
    for (const pending of reply.pending_approvals ?? []) {
      this.approval(pending, (approve) => decide(pending, approve));
    }
  }

  error(message) {
    this.element.classList.add("failed");
    this.text.append(h("p", { class: "error" }, message));
  }

  finish() {
    this.status.hidden = true;
    if (!this.steps.children.length) this.steps.remove();
    if (!this.text.textContent && !this.approvals.children.length) replaceChildren(this.text, "(no answer)");
  }
}
