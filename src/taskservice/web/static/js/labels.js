// What the API's values are called on screen.

import { formatDate, formatDateTime } from "./dom.js";

export const STATUSES = [
  ["todo", "To do"],
  ["in_progress", "In progress"],
  ["blocked", "Blocked"],
  ["done", "Done"],
];
export const STATUS_LABEL = Object.fromEntries(STATUSES);

export const PRIORITIES = [
  ["urgent", "Urgent"],
  ["high", "High"],
  ["medium", "Medium"],
  ["low", "Low"],
];
export const PRIORITY_LABEL = Object.fromEntries(PRIORITIES);

export const SORTS = [
  ["-priority,due_date", "Priority"],
  ["due_date,-priority", "Due date"],
  ["-created_at", "Newest"],
  ["-updated_at", "Recently changed"],
  ["title", "Title"],
];

export const FIELD_LABEL = {
  title: "Title",
  description: "Description",
  status: "Status",
  priority: "Priority",
  due_date: "Due date",
  tags: "Tags",
  completed_at: "Completed",
};

/** Who made a change, from a history event's `actor`: api, agent:<name>, mcp... */
export function actorLabel(actor) {
  if (actor === "api") return "API";
  if (actor.startsWith("agent:")) return `Assistant (${actor.slice("agent:".length)})`;
  if (actor.startsWith("mcp")) {
    const rest = actor.slice(3).replace(/^[:/]/, "");
    return rest ? `MCP (${rest})` : "MCP";
  }
  return actor;
}

/** A field's value in a history entry or a tool call, for people. */
export function valueLabel(field, value) {
  if (value === null || value === undefined || value === "") return "none";
  if (field === "status") return STATUS_LABEL[value] ?? String(value);
  if (field === "priority") return PRIORITY_LABEL[value] ?? String(value);
  if (field === "due_date") return formatDate(value);
  if (field === "completed_at") return formatDateTime(value);
  if (Array.isArray(value)) return value.length ? value.map((tag) => `#${tag}`).join(" ") : "none";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
