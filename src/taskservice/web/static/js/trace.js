// A run's trace (GET /agent/runs/{id}/trace) under its answer: a "Trace" disclosure
// that loads when first opened and shows each span as a line of a tree, with its
// timing as a bar across the round (a waterfall).

import { h, replaceChildren } from "./dom.js";
import { describeCall } from "./turn.js";

function parseArguments(text) {
  try {
    return JSON.parse(text || "{}");
  } catch {
    return {};
  }
}

function milliseconds(ms) {
  if (ms === null || ms === undefined) return "unfinished";
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** What a span was, in a few words. */
export function describeSpan(span) {
  const data = span.data ?? {};
  switch (span.kind) {
    case "task":
      return "run";
    case "agent":
      return `agent ${span.name}`;
    case "turn":
      return span.name;
    case "handoff":
      return `handoff ${span.name}`;
    case "guardrail":
      return `guardrail ${span.name}${data.triggered ? " (tripped)" : ""}`;
    case "generation":
    case "response": {
      const tokens =
        data.input_tokens || data.output_tokens
          ? ` · ${data.input_tokens ?? 0} in / ${data.output_tokens ?? 0} out tokens`
          : "";
      return `model ${span.name}${tokens}`;
    }
    case "function": {
      const state = { error: " · failed", pending: " · waits for approval" }[data.outcome] ?? "";
      return `tool ${describeCall(span.name, parseArguments(data.arguments))}${state}`;
    }
    default:
      return `${span.kind} ${span.name}`;
  }
}

function spanLine(span, round) {
  const start = Date.parse(round.started_at);
  const total = round.duration_ms || 1;
  const bar = h("span", { class: "span-bar", "aria-hidden": "true" });
  // Set through the CSSOM: the page's Content-Security-Policy forbids style attributes.
  bar.style.setProperty("--offset", `${((Date.parse(span.started_at) - start) / total) * 100}%`);
  bar.style.setProperty("--width", `${((span.duration_ms ?? 0) / total) * 100}%`);
  const failed = span.error || span.data?.outcome === "error";
  return h(
    "li",
    { class: `span span-${span.kind}${failed ? " failed" : ""}` },
    h(
      "div",
      { class: "span-line" },
      h("span", { class: "span-what" }, describeSpan(span)),
      h("span", { class: "span-time" }, milliseconds(span.duration_ms)),
      h("span", { class: "span-track" }, bar),
    ),
    span.error ? h("p", { class: "span-error" }, span.error) : null,
    span.children.length ? h("ul", {}, span.children.map((child) => spanLine(child, round))) : null,
  );
}

function renderTrace(trace) {
  if (!trace.rounds.length) return [h("p", { class: "muted" }, "No trace was kept of this run.")];
  return trace.rounds.map((round, index) =>
    h(
      "section",
      { class: "trace-round" },
      trace.rounds.length > 1
        ? h("h4", {}, `Round ${index + 1} · ${milliseconds(round.duration_ms)}`)
        : null,
      h("ul", { class: "trace-tree" }, round.spans.map((span) => spanLine(span, round))),
    ),
  );
}

/** The disclosure; `load()` resolves to the trace. */
export function traceDisclosure(load) {
  const body = h("div", { class: "trace-body" }, h("p", { class: "muted" }, "Loading…"));
  const details = h("details", { class: "trace" }, h("summary", {}, "Trace"), body);
  let loaded = false;
  details.addEventListener("toggle", async () => {
    if (!details.open || loaded) return;
    loaded = true;
    try {
      replaceChildren(body, renderTrace(await load()));
    } catch (error) {
      loaded = false;
      replaceChildren(body, h("p", { class: "error" }, `Could not load the trace: ${error.message}`));
    }
  });
  return details;
}
