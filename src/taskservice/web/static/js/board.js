// The board: four columns of cards, loaded page by page, filtered, and kept in
// step with the server. After every write the columns it touched are loaded
// again, so order, filters and totals are always the server's.

import { ApiError } from "./api.js";
import { MOVE_HINT_ID, renderCard, renderEditor, showEditorErrors } from "./card.js";
import { h, replaceChildren } from "./dom.js";
import { STATUSES, STATUS_LABEL } from "./labels.js";
import { announce, warn } from "./notices.js";

const PAGE = 20;
const MAX_PAGE = 100;

export class Board {
  /**
   * @param root the element that holds the columns
   * @param tasks a Tasks
   * @param hooks {filters() -> params, history(task), ask(task), confirmDelete(task) -> bool, filterTag(tag)}
   */
  constructor(root, tasks, hooks) {
    this.root = root;
    this.tasks = tasks;
    this.hooks = hooks;
    this.columns = new Map();
    this.editing = new Map(); // task id -> the open editor form
    this.cardActions = {
      edit: (task) => this.edit(task),
      move: (task, status) => this.move(task, status),
      history: (task) => hooks.history(task),
      ask: (task) => hooks.ask(task),
      remove: (task) => this.remove(task),
      filterTag: (tag) => hooks.filterTag(tag),
    };
    this.build();
  }

  build() {
    const hint = h(
      "p",
      { id: MOVE_HINT_ID, class: "visually-hidden" },
      "Shift with the left or right arrow moves the card to the next column.",
    );
    const sections = STATUSES.map(([status, label]) => {
      const headingId = `column-${status}-heading`;
      const list = h("ul", { class: "cards", "aria-labelledby": headingId });
      const count = h("p", { class: "count" });
      const more = h(
        "button",
        { type: "button", class: "load-more", hidden: true, "aria-label": `Load more in ${label}` },
        "Load more",
      );
      const section = h(
        "section",
        { class: `column column-${status}`, "aria-labelledby": headingId, dataset: { status } },
        h("div", { class: "column-head" }, h("h2", { id: headingId }, label), count),
        list,
        more,
      );
      more.addEventListener("click", () => this.loadMore(status));
      this.acceptDrops(section, status);
      this.columns.set(status, { list, count, more, items: [], total: 0, next: null, generation: 0 });
      return section;
    });
    replaceChildren(this.root, hint, sections);
  }

  acceptDrops(section, status) {
    const ours = (event) => event.dataTransfer?.types.includes("application/x-task-id");
    section.addEventListener("dragover", (event) => {
      if (!ours(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      section.classList.add("drop-target");
    });
    section.addEventListener("dragleave", (event) => {
      if (!section.contains(event.relatedTarget)) section.classList.remove("drop-target");
    });
    section.addEventListener("drop", (event) => {
      section.classList.remove("drop-target");
      if (!ours(event)) return;
      event.preventDefault();
      const task = this.find(Number(event.dataTransfer.getData("application/x-task-id")));
      if (task && task.status !== status) this.move(task, status);
    });
  }

  find(id) {
    for (const column of this.columns.values()) {
      const task = column.items.find((item) => item.id === id);
      if (task) return task;
    }
    return null;
  }

  /** Load the first page of every column again (filters changed, or the agent wrote). */
  async reloadAll({ keepLength = true } = {}) {
    await Promise.all(STATUSES.map(([status]) => this.reload(status, keepLength)));
  }

  /** Load a column again, as many cards as it showed (at least a page). */
  async reload(status, keepLength = true) {
    const column = this.columns.get(status);
    const generation = ++column.generation;
    const wanted = keepLength ? Math.max(PAGE, column.items.length) : PAGE;
    const items = [];
    let next = null;
    let total = 0;
    try {
      do {
        const limit = Math.min(MAX_PAGE, wanted - items.length);
        const page = await this.tasks.list({ ...this.hooks.filters(), status, limit, cursor: next });
        items.push(...page.items);
        next = page.next_cursor;
        total = page.total;
      } while (next && items.length < wanted);
    } catch (error) {
      if (generation === column.generation) this.failed(error, "load the board");
      return;
    }
    if (generation !== column.generation) return; // a newer load is on its way
    Object.assign(column, { items, next, total });
    this.render(status);
  }

  async loadMore(status) {
    const column = this.columns.get(status);
    if (!column.next) return;
    const generation = column.generation;
    let page;
    try {
      const params = { ...this.hooks.filters(), status, limit: PAGE, cursor: column.next };
      page = await this.tasks.list(params);
    } catch (error) {
      this.failed(error, "load more tasks");
      return;
    }
    if (generation !== column.generation) return;
    const known = new Set(column.items.map((task) => task.id));
    const added = page.items.filter((task) => !known.has(task.id));
    column.items.push(...added);
    column.next = page.next_cursor;
    column.total = page.total;
    this.render(status);
    // Keyboard users land on the first new card.
    if (added.length) this.focusCard(added[0].id);
  }

  render(status) {
    const column = this.columns.get(status);
    // Keep the keyboard where it was across the re-render.
    const active = document.activeElement;
    const focused = active?.closest?.("[data-id]");
    const focusKey =
      focused && column.list.contains(focused) ? [Number(focused.dataset.id), active.dataset.key] : null;
    const cards = column.items.map((task) =>
      h("li", {}, this.editing.get(task.id) ?? renderCard(task, this.cardActions)),
    );
    replaceChildren(column.list, cards);
    const label = STATUS_LABEL[status];
    column.count.textContent =
      column.total === column.items.length
        ? `${column.total} ${column.total === 1 ? "task" : "tasks"}`
        : `${column.items.length} of ${column.total} tasks`;
    column.list.setAttribute("aria-label", `${label}: ${column.count.textContent}`);
    column.more.hidden = !column.next;
    if (focusKey) this.focusCard(...focusKey);
  }

  focusCard(id, key = "card") {
    const card = this.root.querySelector(`[data-id="${id}"]`);
    if (!card) return;
    const target = card.dataset.key === key ? card : card.querySelector(`[data-key="${key}"]`);
    (target ?? card).focus();
  }

  edit(task) {
    const close = () => {
      this.editing.delete(task.id);
      this.render(task.status);
      this.focusCard(task.id, "edit");
    };
    const form = renderEditor(task, {
      cancel: close,
      save: async (changes) => {
        if (!Object.keys(changes).length) return close();
        try {
          const saved = await this.tasks.update(task, changes);
          this.editing.delete(task.id);
          await this.afterWrite(task.status, saved.status);
          this.focusCard(task.id, "edit");
          announce(`Saved “${saved.title}”.`);
        } catch (error) {
          if (error instanceof ApiError && error.status === 422) {
            showEditorErrors(form, "Please correct the marked fields.", error.fieldErrors);
          } else {
            this.editing.delete(task.id);
            await this.writeFailed(error, task);
          }
        }
      },
    });
    this.editing.set(task.id, form);
    this.render(task.status);
    form.querySelector("input").focus();
  }

  async move(task, status) {
    try {
      const saved = await this.tasks.update(task, { status });
      await this.afterWrite(task.status, status);
      this.focusCard(task.id);
      announce(`Moved “${saved.title}” to ${STATUS_LABEL[status]}.`);
    } catch (error) {
      await this.writeFailed(error, task);
    }
  }

  async remove(task) {
    if (!(await this.hooks.confirmDelete(task))) return;
    try {
      await this.tasks.remove(task);
      await this.afterWrite(task.status);
      announce(`Deleted “${task.title}”.`);
    } catch (error) {
      await this.writeFailed(error, task);
    }
  }

  async afterWrite(...statuses) {
    await Promise.all([...new Set(statuses)].map((status) => this.reload(status)));
  }

  /** 412: someone else changed the task. Show their version and say so. */
  async writeFailed(error, task) {
    if (!(error instanceof ApiError) || ![404, 412].includes(error.status)) {
      this.failed(error, `change “${task.title}”`);
      await this.reload(task.status);
      return;
    }
    let current = null;
    try {
      current = await this.tasks.get(task.id);
    } catch (reloadError) {
      if (!(reloadError instanceof ApiError && reloadError.status === 404)) throw reloadError;
    }
    await this.afterWrite(task.status, current?.status ?? task.status);
    if (current) {
      this.focusCard(task.id);
      warn(
        `Someone else changed “${current.title}” since you loaded it. ` +
          "The card now shows the latest version; your change was not saved.",
      );
    } else {
      warn(`“${task.title}” was deleted by someone else.`);
    }
  }

  failed(error, doing) {
    if (error instanceof ApiError && error.status === 401) return; // sign-in takes over
    warn(`Could not ${doing}: ${error.message}`);
  }
}
