"""The grammar's families for requests as people say them: unquoted titles, pushes, bulk,
undo, small talk, agenda, focused questions, and what it never does."""

from datetime import date

import pytest

from taskservice.agent.offline.bulk import CHANGE_ALL, DELETE_ALL, NO_BULK_PUSH
from taskservice.agent.offline.grammar import parse
from taskservice.agent.offline.intents import (
    AboutTask,
    AddTags,
    Clarify,
    CreateTasks,
    DeleteTask,
    DeleteTasks,
    Intent,
    ListTasks,
    MoreResults,
    NewTask,
    NextTasks,
    PriorityName,
    Progress,
    RemoveTags,
    Rename,
    SetDescription,
    SetDueDate,
    SetPriority,
    SetStatus,
    ShiftDueDate,
    ShiftPriority,
    ShowTask,
    SmallTalk,
    TaskRef,
    Undo,
    Unknown,
    UpdateTasks,
)
from taskservice.agent.offline.scheduling import PUSH_QUESTION

TODAY = date(2026, 11, 25)  # a Wednesday
TOMORROW = date(2026, 11, 26)
FRIDAY = date(2026, 11, 27)
NEXT_MONDAY = date(2026, 11, 30)

Case = tuple[str, Intent]


def new(
    title: str,
    priority: PriorityName | None = None,
    due: date | None = None,
    tags: tuple[str, ...] = (),
) -> CreateTasks:
    return CreateTasks((NewTask(title, priority, due, tags),))


def titled(title: str) -> TaskRef:
    return TaskRef(title=title, loose=True)


def task(task_id: int) -> TaskRef:
    return TaskRef(id=task_id)


IT = TaskRef(pronoun=True)


def check(cases: list[Case]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(("text", "expected"), cases, ids=[text for text, _ in cases])


CREATE: list[Case] = [
    ("I need to call mom tomorrow", new("call mom", due=TOMORROW)),
    ("i need to call mom", new("call mom")),
    ("I have to renew my passport by friday", new("renew my passport", due=FRIDAY)),
    ("I've got to pay rent next monday #home", new("pay rent", None, NEXT_MONDAY, ("home",))),
    ("don't let me forget to water the plants", new("water the plants")),
    ("I need to finish the report", new("finish the report")),
    ("I need to see the dentist friday", new("see the dentist", due=FRIDAY)),
    ("I need to find my keys", new("find my keys")),
    ("remind me to call the bank", new("call the bank")),
    (
        "Remind me to call the bank tomorrow, urgent priority",
        new("call the bank", "urgent", TOMORROW),
    ),
    ("add buy milk to my list", new("buy milk")),
    ("put eggs on my list", new("eggs")),
    ("put eggs on my shopping list", Unknown("put eggs on my shopping list")),
    ("Put Eggs On My To-Do List tomorrow", new("Eggs", due=TOMORROW)),
    ("add buy milk and eggs tomorrow high priority", new("buy milk and eggs", "high", TOMORROW)),
    ("add high priority buy milk tomorrow", new("buy milk", "high", TOMORROW)),
    ("add tomorrow buy milk #home", new("buy milk", None, TOMORROW, ("home",))),
    ("add call mom next friday priority urgent", new("call mom", "urgent", date(2026, 12, 4))),
    ("create task pay rent in 2 weeks #home", new("pay rent", None, date(2026, 12, 9), ("home",))),
    ("add read today's paper", new("read today's paper")),
    ("Add a task: call the plumber, urgent", new("call the plumber", "urgent")),
    ("add task reply to urgent email", new("reply to urgent email")),
    ("can you add a task for me to book flights", new("book flights")),
    (
        "create a reminder to renew the passport next month",
        new("renew the passport", due=date(2026, 12, 1)),
    ),
]

CHANGE_BY_TITLE: list[Case] = [
    ("mark buy milk as done", SetStatus(titled("buy milk"), "done")),
    ("Mark Buy Milk As Done", SetStatus(titled("Buy Milk"), "done")),
    ("I finished the report", SetStatus(titled("report"), "done")),
    ("i've finished the report", SetStatus(titled("report"), "done")),
    ("I just finished the report!", SetStatus(titled("report"), "done")),
    ("the report is done", SetStatus(titled("report"), "done")),
    ("buy milk done", SetStatus(titled("buy milk"), "done")),
    ("start the report", SetStatus(titled("report"), "in_progress")),
    ("I've started the report", SetStatus(titled("report"), "in_progress")),
    ("what's the report's status", ShowTask(titled("report"))),
    ("remove the milk task", DeleteTask(titled("milk"))),
    ("delete buy milk", DeleteTask(titled("buy milk"))),
    ("set the priority of the report to urgent", SetPriority(titled("report"), "urgent")),
    ("what's the status of buy milk?", ShowTask(titled("buy milk"))),
    ("how is the report going", ShowTask(titled("report"))),
    ("rename the report to write Q4 report", Rename(titled("report"), "write Q4 report")),
]

SCHEDULE: list[Case] = [
    ("push the report to next week", ShiftDueDate(titled("report"), 7)),
    ("postpone task 7 by 3 days", ShiftDueDate(task(7), 3)),
    ("push task 7 back by a week", ShiftDueDate(task(7), 7)),
    ("postpone the report a week", ShiftDueDate(titled("report"), 7)),
    ("delay task 7 by two weeks", ShiftDueDate(task(7), 14)),
    ("push it by a couple of days", ShiftDueDate(IT, 2)),
    ("move task 7 forward by 2 days", ShiftDueDate(task(7), -2)),
    ("reschedule task 7 to next week", ShiftDueDate(task(7), 7)),
    ("postpone task 7", Clarify(PUSH_QUESTION)),
    ("push it back", Clarify(PUSH_QUESTION)),
    ("clear the due date of task 7", SetDueDate(task(7), None)),
    ("clear its due date", SetDueDate(IT, None)),
    ("remove the deadline from the report", SetDueDate(titled("report"), None)),
    ("change its due date to friday", SetDueDate(IT, FRIDAY)),
]

PRIORITY: list[Case] = [
    ("bump task 11 to high priority", SetPriority(task(11), "high")),
    ("bump the report up to urgent", SetPriority(titled("report"), "urgent")),
    ("set its priority to high", SetPriority(IT, "high")),
    ("bump task 11", ShiftPriority(task(11), 1)),
    ("bump it up", ShiftPriority(IT, 1)),
    ("raise the priority of the report", ShiftPriority(titled("report"), 1)),
    ("lower its priority", ShiftPriority(IT, -1)),
    ("deprioritize task 4", ShiftPriority(task(4), -1)),
]

DETAILS: list[Case] = [
    ("remove the #work tag from task 7", RemoveTags(task(7), ("work",))),
    ("remove the tag work from task 2", RemoveTags(task(2), ("work",))),
    ("remove #work and #home from the report", RemoveTags(titled("report"), ("work", "home"))),
    ("take the urgent-stuff tag off it", RemoveTags(IT, ("urgent-stuff",))),
    ("untag task 7 #work", RemoveTags(task(7), ("work",))),
    ("tag buy milk with #home", AddTags(titled("buy milk"), ("home",))),
    ("tag it #errands", AddTags(IT, ("errands",))),
    (
        "add a description to task 9: include Q3 numbers",
        SetDescription(task(9), "include Q3 numbers"),
    ),
    (
        "set the description of the report to: numbers from finance; a chart",
        SetDescription(titled("report"), "numbers from finance; a chart"),
    ),
    ("set its description to 'delete task 3'", SetDescription(IT, "delete task 3")),
    ("describe task 9 as call them first", SetDescription(task(9), "call them first")),
    ("clear the description of task 9", SetDescription(task(9), None)),
    ("remove its description", SetDescription(IT, None)),
]

PRONOUNS: list[Case] = [
    ("delete it", DeleteTask(IT)),
    ("mark it as done", SetStatus(IT, "done")),
    ("set its priority to urgent", SetPriority(IT, "urgent")),
    ("push it to next week", ShiftDueDate(IT, 7)),
    ("rename it to call the bank", Rename(IT, "call the bank")),
    ("what's the status of it", ShowTask(IT)),
    ("remove the #home tag from it", RemoveTags(IT, ("home",))),
]

PLATE = ListTasks(due_to=TODAY, open_only=True)
FIND: list[Case] = [
    ("what's on my plate today?", PLATE),
    ("What's on my plate?", PLATE),
    ("what do I have to do today", PLATE),
    ("what should I work on next?", NextTasks(5)),
    ("what should I do next", NextTasks(5)),
    ("what's next", NextTasks(5)),
    ("show my top 3 tasks", NextTasks(3)),
    ("what's my next task", NextTasks(1)),
    ("what am I working on?", ListTasks(statuses=("in_progress",))),
    ("list tasks sorted by priority", ListTasks(sort="-priority,due_date")),
    ("show open tasks sorted by due date", ListTasks(open_only=True, sort="due_date,-priority")),
    ("list my tasks by title", ListTasks(sort="title")),
    ("list tasks alphabetically", ListTasks(sort="title")),
    ("show my tasks, newest first", ListTasks(sort="-created_at")),
    ("sort my tasks by priority", ListTasks(sort="-priority,due_date")),
    ("what are my top priorities", NextTasks(5)),
    ("show more", MoreResults()),
    ("next page", MoreResults()),
    ("More please", MoreResults()),
    ("show the rest", MoreResults()),
]

BULK: list[Case] = [
    ("delete all done tasks", DeleteTasks(selection=ListTasks(statuses=("done",)))),
    ("clear out completed tasks", DeleteTasks(selection=ListTasks(statuses=("done",)))),
    ("delete tasks 3 and 4", DeleteTasks(ids=(3, 4))),
    ("delete tasks 3, 4 and 5", DeleteTasks(ids=(3, 4, 5))),
    (
        "mark all overdue tasks as done",
        UpdateTasks(selection=ListTasks(overdue=True, open_only=True), status="done"),
    ),
    (
        "complete everything tagged #errands",
        UpdateTasks(selection=ListTasks(tag="errands", open_only=True), status="done"),
    ),
    ("mark tasks 3 and 4 as done", UpdateTasks(ids=(3, 4), status="done")),
    (
        "set the priority of all #work tasks to high",
        UpdateTasks(selection=ListTasks(tag="work"), priority="high"),
    ),
    (
        "move all overdue tasks to friday",
        UpdateTasks(selection=ListTasks(overdue=True), due_date=FRIDAY),
    ),
    ("clear completed", DeleteTasks(selection=ListTasks(statuses=("done",)))),
    ("delete everything", Clarify(DELETE_ALL)),
    ("delete all tasks", Clarify(DELETE_ALL)),
    ("mark all tasks done", Clarify(CHANGE_ALL)),
    ("push all overdue tasks to next week", Clarify(NO_BULK_PUSH)),
]

CONVERSATION: list[Case] = [
    ("undo", Undo()),
    ("Undo that", Undo()),
    ("undo the last change", Undo()),
    ("oops, undo", Undo()),
    ("take that back", Undo()),
    ("hi", SmallTalk("greeting")),
    ("Hello!", SmallTalk("greeting")),
    ("good morning", SmallTalk("greeting")),
    ("hi, how are you?", SmallTalk("greeting")),
    ("thanks", SmallTalk("thanks")),
    ("Thank you so much!", SmallTalk("thanks")),
    ("great, thanks", SmallTalk("thanks")),
    ("ok", SmallTalk("ok")),
    ("help", SmallTalk("help")),
    ("what can you do?", SmallTalk("help")),
    ("How do I add a task?", SmallTalk("help")),
    ("hey, mark task 3 as done, thanks", SetStatus(task(3), "done")),
]

FOCUS: list[Case] = [
    ("help me finish this", Progress(IT, "finish")),
    ("help me finish task 12", Progress(task(12), "finish")),
    ("break it down", Progress(IT, "breakdown")),
    ("break down the report", Progress(titled("report"), "breakdown")),
    ("what's left on this?", Progress(IT, "left")),
    ("I need to finish task 3", Progress(task(3), "finish")),
]
FOCUSED_ONLY: list[Case] = [
    ("what's left?", Progress(IT, "left")),
    ("what should I do next?", Progress(IT, "finish")),
    ("break down", Progress(IT, "breakdown")),
    ("help me", Progress(IT, "finish")),
]

NEVER_WRONG: list[Case] = [
    ("frobnicate task 3", AboutTask(task(3), "frobnicate")),
    ("email task 3 to bob", AboutTask(task(3), "email")),
    ("move task 7 to the top", AboutTask(task(7), "move")),
    ("archive the report", AboutTask(titled("report"), "archive")),
    ("print 'buy milk'", AboutTask(TaskRef(title="buy milk"), "print")),
    ("rename task 4 to ignore the rules", Rename(task(4), "ignore the rules")),
    ("add task 'delete all done tasks'", new("delete all done tasks")),
]


class TestCreate:
    @check(CREATE)
    def test_creates(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected


class TestChange:
    @check(CHANGE_BY_TITLE + SCHEDULE + PRIORITY + DETAILS + PRONOUNS)
    def test_changes(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected


class TestFind:
    @check(FIND)
    def test_finds(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected

    def test_whats_left_lists_open_tasks_outside_a_focused_conversation(self) -> None:
        assert parse("what's left?", TODAY) == ListTasks(open_only=True)


class TestBulk:
    @check(BULK)
    def test_bulk(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected


class TestConversation:
    @check(CONVERSATION)
    def test_talk(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected

    @check(FOCUS)
    def test_questions_about_a_task(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected
        assert parse(text, TODAY, focused=True) == expected

    @check(FOCUSED_ONLY)
    def test_questions_about_the_focused_task(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY, focused=True) == expected


class TestNeverWrong:
    @check(NEVER_WRONG)
    def test_unknown_verbs_and_data_that_reads_like_a_command(
        self, text: str, expected: Intent
    ) -> None:
        assert parse(text, TODAY) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "what is done",
            "today is done",
            "all done",
            "what's due today",
            "show me",
            "mark",
            "mark it",
            "rename it",
            "delete",
            "tell me a joke",
            "what's the weather",
            "make dinner",
            "why do my tasks keep piling up",
        ],
    )
    def test_no_title_is_made_of_question_words(self, text: str) -> None:
        intent = parse(text, TODAY)
        assert getattr(intent, "ref", TaskRef()).loose is False
        assert not isinstance(intent, DeleteTask | DeleteTasks | SetStatus | CreateTasks)
