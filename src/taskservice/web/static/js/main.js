// The page: sign in and out, the new-task form, and wiring the board, the filters,
// the history drawer and the assistant together.

import { Api, ApiError } from "./api.js";
import { Assistant } from "./assistant.js";
import { Board } from "./board.js";
import { debounce, h } from "./dom.js";
import { Filters } from "./filters.js";
import { HistoryDrawer } from "./history.js";
import { FIELD_LABEL, PRIORITIES, STATUSES } from "./labels.js";
import { announce, clearNotices } from "./notices.js";
import { Tasks, parseTags } from "./tasks.js";

const KEY_STORAGE = "taskservice.apiKey";
const $ = (id) => document.getElementById(id);

const signInSection = $("sign-in");
const workspace = $("workspace");
let signingIn = false;

const api = new Api(
  () => sessionStorage.getItem(KEY_STORAGE),
  () =>
    signOut(
      signingIn
        ? "That API key was not accepted. Check it and try again."
        : "You were signed out: your API key is no longer accepted " +
          "(it may have been revoked). Sign in again.",
    ),
);
const tasks = new Tasks(api);
const history = new HistoryDrawer($("history"), tasks, (sessionId) => {
  showView("assistant");
  assistant.resume(sessionId);
});
const filters = new Filters($("filters"), () => board.reloadAll({ keepLength: false }));
const board = new Board($("board"), tasks, {
  filters: () => filters.params(),
  history: (task) => history.open(task),
  ask: (task) => {
    showView("assistant");
    assistant.newConversation(task);
  },
  confirmDelete,
  filterTag: (tag) => filters.setTag(tag),
});
const refreshBoard = debounce(() => board.reloadAll(), 200);
const assistant = new Assistant($("assistant-view"), api, refreshBoard);

function showWorkspace() {
  signInSection.hidden = true;
  workspace.hidden = false;
  $("sign-out").hidden = false;
  $("views").hidden = false;
  showView("board");
  board.reloadAll({ keepLength: false });
}

function signOut(message = "") {
  sessionStorage.removeItem(KEY_STORAGE);
  assistant.newConversation();
  board.build();
  workspace.hidden = true;
  $("sign-out").hidden = true;
  $("views").hidden = true;
  signInSection.hidden = false;
  clearNotices();
  $("sign-in-message").textContent = message;
  $("api-key").value = "";
  $("api-key").focus();
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = $("api-key").value.trim();
  if (!key) return;
  sessionStorage.setItem(KEY_STORAGE, key);
  signingIn = true;
  try {
    await tasks.list({ limit: 1 });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      sessionStorage.removeItem(KEY_STORAGE);
      $("sign-in-message").textContent = `Could not sign in: ${error.message}`;
    }
    return;
  } finally {
    signingIn = false;
  }
  $("sign-in-message").textContent = "";
  $("api-key").value = "";
  showWorkspace();
  announce("Signed in.");
  $("new-title").focus();
});

$("sign-out").addEventListener("click", () => signOut("You signed out."));

/** On a narrow screen one view at a time: the board or the assistant. */
function showView(name) {
  document.body.dataset.view = name;
  $("show-board").setAttribute("aria-pressed", String(name === "board"));
  $("show-assistant").setAttribute("aria-pressed", String(name === "assistant"));
}
$("show-board").addEventListener("click", () => showView("board"));
$("show-assistant").addEventListener("click", () => showView("assistant"));

function confirmDelete(task) {
  const dialog = $("confirm-delete");
  $("confirm-delete-text").textContent = `“${task.title}” will be deleted. This cannot be undone.`;
  dialog.returnValue = "cancel";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "delete"), { once: true });
  });
}

function fillSelect(select, entries, selected) {
  for (const [value, label] of entries) {
    select.append(h("option", { value, selected: value === selected }, label));
  }
}
fillSelect($("new-status"), STATUSES, "todo");
fillSelect($("new-priority"), PRIORITIES, "medium");

$("new-task").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  const fields = {
    title: data.get("title"),
    status: data.get("status"),
    priority: data.get("priority"),
    tags: parseTags(data.get("tags")),
  };
  if (data.get("description")) fields.description = data.get("description");
  if (data.get("due_date")) fields.due_date = data.get("due_date");
  const error = $("new-task-error");
  error.textContent = "";
  try {
    const task = await tasks.create(fields);
    form.reset();
    await board.reload(task.status);
    announce(`Created “${task.title}”.`);
  } catch (failure) {
    const fieldErrors = failure instanceof ApiError ? Object.entries(failure.fieldErrors) : [];
    error.textContent = fieldErrors.length
      ? fieldErrors.map(([field, message]) => `${FIELD_LABEL[field] ?? field}: ${message}`).join("; ")
      : `Could not create the task: ${failure.message}`;
  }
  $("new-title").focus();
});

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && !workspace.hidden) refreshBoard();
});

if (sessionStorage.getItem(KEY_STORAGE)) showWorkspace();
else signOut();
