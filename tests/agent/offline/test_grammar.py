"""The offline grammar: every phrase family, in any case and wording, and what stays Unknown."""

from datetime import date

import pytest

from taskservice.agent.offline.grammar import parse
from taskservice.agent.offline.intents import (
    AddTags,
    ChooseTask,
    CountTasks,
    CreateTasks,
    DeleteTask,
    Intent,
    ListTasks,
    NewTask,
    PriorityName,
    Rename,
    SetDueDate,
    SetPriority,
    SetStatus,
    ShiftDueDate,
    ShowTask,
    Summary,
    TaskRef,
    Unknown,
)

TODAY = date(2026, 11, 25)  # a Wednesday
SUNDAY = date(2026, 11, 29)
FRIDAY = date(2026, 11, 27)
TOMORROW = date(2026, 11, 26)
THIS_FRIDAY = date(2026, 11, 27)
NEXT_MONDAY = date(2026, 11, 30)
NEXT_FRIDAY = date(2026, 12, 4)

Case = tuple[str, Intent]


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def new(
    title: str,
    priority: PriorityName | None = None,
    due: date | None = None,
    tags: tuple[str, ...] = (),
) -> CreateTasks:
    return CreateTasks((NewTask(title, priority, due, tags),))


def task(ref: int | str) -> TaskRef:
    return TaskRef(id=ref) if isinstance(ref, int) else TaskRef(title=ref)


IT = TaskRef(pronoun=True)


def check(cases: list[Case]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(("text", "expected"), cases, ids=[text for text, _ in cases])


CREATE: list[Case] = [
    ("add a task to buy milk", new("buy milk")),
    (
        "create task: write report, priority high, due friday, tagged #work",
        new("write report", "high", THIS_FRIDAY, ("work",)),
    ),
    ("new urgent task renew passport by 2026-12-01", new("renew passport", "urgent", d(12, 1))),
    (
        "add tasks: a; b; c",
        CreateTasks((NewTask("a"), NewTask("b"), NewTask("c"))),
    ),
    (
        "add tasks: call mom tomorrow; pay rent due 2026-12-01 #home",
        CreateTasks(
            (NewTask("call mom", due_date=TOMORROW), NewTask("pay rent", None, d(12, 1), ("home",)))
        ),
    ),
    ("add buy milk", new("buy milk")),
    ("remind me to call the bank tomorrow", new("call the bank", due=TOMORROW)),
    (
        "create a high priority task pay invoice due next monday",
        new("pay invoice", "high", NEXT_MONDAY),
    ),
    ("new task: X", new("X")),
    ("add task X with priority low", new("X", "low")),
    ("todo: X", new("X")),
    ("add task call mom on friday", new("call mom", due=THIS_FRIDAY)),
    ("add task call mom next monday", new("call mom", due=NEXT_MONDAY)),
    ("add task call mom in 3 days", new("call mom", due=d(11, 28))),
    ("add task call mom by dec 24", new("call mom", due=d(12, 24))),
    ("add task pay rent due: 24 december, 2026", new("pay rent", due=d(12, 24))),
    ("add task pay rent, high priority", new("pay rent", "high")),
    ("add task pay rent priority: urgent", new("pay rent", "urgent")),
    ("add task pay rent with a medium priority", new("pay rent", "medium")),
    ("add task plan trip tagged travel", new("plan trip", tags=("travel",))),
    ("add task plan trip tagged #travel, #fun", new("plan trip", tags=("travel", "fun"))),
    ("add task plan trip with tag Travel", new("plan trip", tags=("travel",))),
    ("add task plan trip #Travel #fun #travel", new("plan trip", tags=("travel", "fun"))),
    ("add task Plan Trip", new("Plan Trip")),
    ("add a task 'finish the due diligence'", new("finish the due diligence")),
    ('add task "mark task 3 as done" tomorrow', new("mark task 3 as done", due=TOMORROW)),
    ("add task \u201cdone by Friday\u201d", new("done by Friday")),
    ("add task read 'Dune' tomorrow", new("read 'Dune'", due=TOMORROW)),
    ("add task mom's gift #family", new("mom's gift", tags=("family",))),
    ("create a task called 'Plan Q1'", new("Plan Q1")),
    ("add a new task: Fix the roof!", new("Fix the roof")),
    ("new high priority task: Fix the Roof", new("Fix the Roof", "high")),
    ("add an urgent task: call the plumber", new("call the plumber", "urgent")),
    ("add buy milk to my list", new("buy milk")),
    ("add a reminder to water plants", new("water plants")),
    ("add task water plants every monday", new("water plants every monday")),
    ("add task take the sat", new("take the sat")),
    ("add task meet bob on sat", new("meet bob", due=d(11, 28))),
    ("add task review the taskforce report", new("review the taskforce report")),
    ("remind me tomorrow to call mom", new("call mom", due=TOMORROW)),
    ("remind me on friday to pay rent", new("pay rent", due=THIS_FRIDAY)),
    ("remind me about the dentist next friday", new("the dentist", due=NEXT_FRIDAY)),
    ("to-do: buy stamps", new("buy stamps")),
    ("todo buy stamps", new("buy stamps")),
    (
        "add urgent tasks: call mom; pay rent, low priority",
        CreateTasks((NewTask("call mom", "urgent"), NewTask("pay rent", "low"))),
    ),
    (
        "add tasks: milk, eggs, bread",
        CreateTasks((NewTask("milk"), NewTask("eggs"), NewTask("bread"))),
    ),
    (
        "add tasks: write report, priority high, due friday, #work, #q4; call mom",
        CreateTasks(
            (NewTask("write report", "high", THIS_FRIDAY, ("work", "q4")), NewTask("call mom"))
        ),
    ),
    (
        "add tasks:\n- buy milk\n- call mom tomorrow\n",
        CreateTasks((NewTask("buy milk"), NewTask("call mom", due_date=TOMORROW))),
    ),
    (
        "add task 'Call mom' with high priority, due dec 24 tagged family and home",
        new("Call mom", "high", d(12, 24), ("family", "home")),
    ),
]

STATUS: list[Case] = [
    ("mark task 3 as done", SetStatus(task(3), "done")),
    ("mark 3 done", SetStatus(task(3), "done")),
    ("task 3 is done", SetStatus(task(3), "done")),
    ("complete #3", SetStatus(task(3), "done")),
    ("finish task 3", SetStatus(task(3), "done")),
    ("close task 3", SetStatus(task(3), "done")),
    ("start task 4", SetStatus(task(4), "in_progress")),
    ("begin task 4", SetStatus(task(4), "in_progress")),
    ("task 4 is in progress", SetStatus(task(4), "in_progress")),
    ("task 5 is blocked", SetStatus(task(5), "blocked")),
    ("block task 5", SetStatus(task(5), "blocked")),
    ("mark task 5 as blocked", SetStatus(task(5), "blocked")),
    ("reopen task 3", SetStatus(task(3), "todo")),
    ("mark task 3 as todo", SetStatus(task(3), "todo")),
    ("mark task 3 as not done", SetStatus(task(3), "todo")),
    ("mark task #3 as completed", SetStatus(task(3), "done")),
    ("set the status of task 3 to done", SetStatus(task(3), "done")),
    ("set task 3 status to blocked", SetStatus(task(3), "blocked")),
    ("put task 4 in progress", SetStatus(task(4), "in_progress")),
    ("put task 5 on hold", SetStatus(task(5), "blocked")),
    ("move task 3 to done", SetStatus(task(3), "done")),
    ("task 3 done", SetStatus(task(3), "done")),
    ("i finished task 3", SetStatus(task(3), "done")),
    ("I'm done with it", SetStatus(IT, "done")),
    ("it's done", SetStatus(IT, "done")),
    ("check off task 3", SetStatus(task(3), "done")),
    ("I'm working on task 4", SetStatus(task(4), "in_progress")),
    ("unblock task 5", SetStatus(task(5), "todo")),
]

PRIORITY: list[Case] = [
    ("set priority of task 4 to urgent", SetPriority(task(4), "urgent")),
    ("set task 4 priority to high", SetPriority(task(4), "high")),
    ("make task 4 low priority", SetPriority(task(4), "low")),
    ("task 4 is urgent", SetPriority(task(4), "urgent")),
    ("change the priority of task 4 to normal", SetPriority(task(4), "medium")),
    ("set priority to high for task 4", SetPriority(task(4), "high")),
    ("mark task 4 as urgent", SetPriority(task(4), "urgent")),
    ("make it high priority", SetPriority(IT, "high")),
    ("task 4 is now a low priority", SetPriority(task(4), "low")),
    ("that's urgent", SetPriority(IT, "urgent")),
]

DUE: list[Case] = [
    ("move task 7 to next monday", SetDueDate(task(7), NEXT_MONDAY)),
    ("reschedule task 7 to 2026-12-24", SetDueDate(task(7), d(12, 24))),
    ("task 7 is due friday", SetDueDate(task(7), THIS_FRIDAY)),
    ("set the due date of task 7 to tomorrow", SetDueDate(task(7), TOMORROW)),
    ("remove the due date of task 7", SetDueDate(task(7), None)),
    ("clear due date of task 7", SetDueDate(task(7), None)),
    ("postpone task 7 to the day after tomorrow", SetDueDate(task(7), d(11, 27))),
    ("push task 7 to next week", ShiftDueDate(task(7), 7)),
    ("set task 7 due next friday", SetDueDate(task(7), NEXT_FRIDAY)),
    ("change task 7's deadline to dec 24", SetDueDate(task(7), d(12, 24))),
    ("set the deadline to friday for task 7", SetDueDate(task(7), THIS_FRIDAY)),
    ("clear the deadline of task 7", SetDueDate(task(7), None)),
    ("remove task 7's due date", SetDueDate(task(7), None)),
    ("move 'buy milk' to in 3 days", SetDueDate(task("buy milk"), d(11, 28))),
]

EDIT: list[Case] = [
    ("rename task 2 to call the bank", Rename(task(2), "call the bank")),
    ("rename task 2 to 'Call The Bank'", Rename(task(2), "Call The Bank")),
    ("rename task 2 to go to the bank", Rename(task(2), "go to the bank")),
    ('change the title of task 2 to "Done: due diligence"', Rename(task(2), "Done: due diligence")),
    ("rename it to Pay Rent", Rename(IT, "Pay Rent")),
    ("tag task 2 with #home", AddTags(task(2), ("home",))),
    ("tag task 2 home, errands", AddTags(task(2), ("home", "errands"))),
    ("add tag #x to task 2", AddTags(task(2), ("x",))),
    ("add tags work and Home to task 2", AddTags(task(2), ("work", "home"))),
    ("add #a #b to task 2", AddTags(task(2), ("a", "b"))),
    ("tag it #a, #b, #a", AddTags(IT, ("a", "b"))),
    ("delete task 9", DeleteTask(task(9))),
    ("remove task 9", DeleteTask(task(9))),
    ("drop #9", DeleteTask(task(9))),
    ("get rid of task 9", DeleteTask(task(9))),
    ("delete 'buy milk' from my list", DeleteTask(task("buy milk"))),
]

REFERENCES: list[Case] = [
    ("mark 'buy milk' as done", SetStatus(task("buy milk"), "done")),
    ('mark "buy milk" as done', SetStatus(task("buy milk"), "done")),
    ("mark \u2018buy milk\u2019 as done", SetStatus(task("buy milk"), "done")),
    ("mark \u201cbuy milk\u201d as done", SetStatus(task("buy milk"), "done")),
    ("mark 'Buy Milk' as done", SetStatus(task("Buy Milk"), "done")),
    ("mark the task 'due diligence' as done", SetStatus(task("due diligence"), "done")),
    ("mark it as done", SetStatus(IT, "done")),
    ("mark this done", SetStatus(IT, "done")),
    ("mark that one as blocked", SetStatus(IT, "blocked")),
    ("delete it", DeleteTask(IT)),
    ("delete this task", DeleteTask(IT)),
    ("move it to friday", SetDueDate(IT, THIS_FRIDAY)),
    ("mark task number 3 as done", SetStatus(task(3), "done")),
    ("mark task #12 as done", SetStatus(task(12), "done")),
    ("mark no. 3 as done", SetStatus(task(3), "done")),
]

FIND: list[Case] = [
    ("list my tasks", ListTasks()),
    ("show my tasks", ListTasks()),
    ("what are my tasks", ListTasks()),
    ("show all tasks", ListTasks()),
    ("show everything", ListTasks()),
    ("list", ListTasks()),
    ("my tasks", ListTasks()),
    ("what tasks do I have", ListTasks()),
    ("what's on my list", ListTasks()),
    ("show open tasks", ListTasks(open_only=True)),
    ("what's still open", ListTasks(open_only=True)),
    ("what's left", ListTasks(open_only=True)),
    ("what do I need to do", ListTasks(open_only=True)),
    ("show high priority tasks", ListTasks(priorities=("high",))),
    ("show urgent tasks", ListTasks(priorities=("urgent",))),
    ("what is high priority", ListTasks(priorities=("high",))),
    ("show high and urgent tasks", ListTasks(priorities=("high", "urgent"))),
    ("show done tasks", ListTasks(statuses=("done",))),
    ("what have I finished", ListTasks(statuses=("done",))),
    ("show blocked tasks", ListTasks(statuses=("blocked",))),
    ("what is in progress", ListTasks(statuses=("in_progress",))),
    ("what am I working on", ListTasks(statuses=("in_progress",))),
    ("which tasks are blocked", ListTasks(statuses=("blocked",))),
    ("show done and blocked tasks", ListTasks(statuses=("done", "blocked"))),
    ("what is overdue?", ListTasks(overdue=True)),
    ("show overdue tasks", ListTasks(overdue=True)),
    ("do I have any overdue tasks", ListTasks(overdue=True)),
    ("find overdue tasks", ListTasks(overdue=True)),
    ("what is due this week?", ListTasks(due_from=TODAY, due_to=SUNDAY, open_only=True)),
    ("what is due today", ListTasks(due_from=TODAY, due_to=TODAY, open_only=True)),
    ("what's due tomorrow", ListTasks(due_from=TOMORROW, due_to=TOMORROW, open_only=True)),
    ("what is due next week", ListTasks(due_from=NEXT_MONDAY, due_to=d(12, 6), open_only=True)),
    ("show tasks due on friday", ListTasks(due_from=FRIDAY, due_to=FRIDAY, open_only=True)),
    ("what is due by friday", ListTasks(due_to=FRIDAY, open_only=True)),
    ("what do I have to do today", ListTasks(due_to=TODAY, open_only=True)),
    ("show today's tasks", ListTasks(due_from=TODAY, due_to=TODAY, open_only=True)),
    ("show done tasks due this week", ListTasks(statuses=("done",), due_from=TODAY, due_to=SUNDAY)),
    ("tasks tagged #work", ListTasks(tag="work")),
    ("show tasks tagged work", ListTasks(tag="work")),
    ("show #work tasks", ListTasks(tag="work")),
    ("show open #Work tasks", ListTasks(tag="work", open_only=True)),
    ("search for invoice", ListTasks(query="invoice")),
    ("find invoice", ListTasks(query="invoice")),
    ("search tasks for 'hotel bill'", ListTasks(query="hotel bill")),
    ("find my invoice", ListTasks(query="invoice")),
    ("show tasks about Invoice", ListTasks(query="Invoice")),
    ("look for 'the due date'", ListTasks(query="the due date")),
    ("show task 3", ShowTask(task(3))),
    ("what is task 3", ShowTask(task(3))),
    ("show #3", ShowTask(task(3))),
    ("show 'buy milk'", ShowTask(task("buy milk"))),
    ("details of task 3", ShowTask(task(3))),
    ("show me the details of task 3", ShowTask(task(3))),
    ("tell me about task 3", ShowTask(task(3))),
    ("what's the status of task 3", ShowTask(task(3))),
    ("show it", ShowTask(IT)),
    ("find task 3", ShowTask(task(3))),
    ("how is task 3 going", ShowTask(task(3))),
    ("is task 3 done?", ShowTask(task(3))),
    ("is it overdue", ShowTask(IT)),
    ("how many tasks are done?", CountTasks("done")),
    ("how many tasks do I have", CountTasks(None)),
    ("how many open tasks", CountTasks(None)),
    ("how many tasks are left", CountTasks(None)),
    ("how many are blocked", CountTasks("blocked")),
    ("how many tasks are in progress", CountTasks("in_progress")),
    ("count my tasks", CountTasks(None)),
    ("how many overdue tasks", ListTasks(overdue=True)),
    ("give me a status summary", Summary()),
    ("summary", Summary()),
    ("status report", Summary()),
    ("how am I doing", Summary()),
    ("summarize my tasks", Summary()),
    ("give me an overview", Summary()),
    ("status", Summary()),
]

CHOOSE: list[Case] = [
    ("7", ChooseTask(7)),
    ("#7", ChooseTask(7)),
    ("task 7", ChooseTask(7)),
    ("number 7", ChooseTask(7)),
    ("the one with id 7", ChooseTask(7)),
    ("Task #7.", ChooseTask(7)),
    ("id 7 please", ChooseTask(7)),
    ("the one with number 12", ChooseTask(12)),
]

VARIANTS: list[Case] = [
    ("ADD A TASK TO BUY MILK", new("BUY MILK")),
    ("Add A Task To Buy Milk", new("Buy Milk")),
    ("please add a task to buy milk", new("buy milk")),
    ("could you please add a task to Buy Milk, thanks!", new("Buy Milk")),
    ("can you add task   buy   milk ?", new("buy milk")),
    ("Please add tasks: a; b", CreateTasks((NewTask("a"), NewTask("b")))),
    ("MARK TASK 3 AS DONE", SetStatus(task(3), "done")),
    ("Mark Task 3 As Done!", SetStatus(task(3), "done")),
    ("please mark task 3 as done", SetStatus(task(3), "done")),
    ("can you mark task 3 as done?", SetStatus(task(3), "done")),
    ("   mark   task   3   as   done   ", SetStatus(task(3), "done")),
    ("Task 5 Is Blocked.", SetStatus(task(5), "blocked")),
    ("SET PRIORITY OF TASK 4 TO URGENT", SetPriority(task(4), "urgent")),
    ("could you make task 4 low priority please", SetPriority(task(4), "low")),
    ("Move Task 7 To Next Monday", SetDueDate(task(7), NEXT_MONDAY)),
    ("can you reschedule task 7 to 2026-12-24?", SetDueDate(task(7), d(12, 24))),
    ("RENAME TASK 2 TO Call The Bank", Rename(task(2), "Call The Bank")),
    ("Tag Task 2 With #Home", AddTags(task(2), ("home",))),
    ("please delete task 9!", DeleteTask(task(9))),
    ("DELETE IT", DeleteTask(IT)),
    ("LIST MY TASKS", ListTasks()),
    ("PLEASE LIST MY TASKS!!!", ListTasks()),
    ("can you show me my tasks?", ListTasks()),
    ("Show Open Tasks", ListTasks(open_only=True)),
    ("What Is Overdue?", ListTasks(overdue=True)),
    ("hey, what's due today?", ListTasks(due_from=TODAY, due_to=TODAY, open_only=True)),
    ("can you tell me what is overdue?", ListTasks(overdue=True)),
    ("SEARCH FOR invoice", ListTasks(query="invoice")),
    ("Show Task 3", ShowTask(task(3))),
    ("HOW MANY TASKS ARE DONE?", CountTasks("done")),
    ("Give Me A Status Summary.", Summary()),
    ("ok, TASK 7", ChooseTask(7)),
]

UNKNOWN = [
    "what's the weather",
    "tell me a joke",
    "mark",
    "task",
    "mark it",
    "show me",
    "what is it",
    "what time is it",
    "how many people live in paris",
    "search",
    "search the web for cats",
    "rename it",
    "add",
    "add a task",
    "new task",
    "",
    "   ",
    "?!",
    "make dinner",
    "show tasks tagged work and home",
    "move task 7 to 2026-02-30",
    "what is due 2026-02-30",
    "add task pay rent due feb 30",
    "remind me on 2026-02-30 to pay rent",
]


class TestCreate:
    @check(CREATE)
    def test_creates_tasks(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected


class TestChange:
    @check(STATUS + PRIORITY + DUE + EDIT)
    def test_changes_a_task(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected

    @check(REFERENCES)
    def test_names_a_task_by_id_quoted_title_or_pronoun(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected


class TestFind:
    @check(FIND)
    def test_finds_tasks(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected

    @pytest.mark.parametrize(
        ("today", "text", "expected"),
        [
            (
                SUNDAY,
                "what is due this week",
                ListTasks(due_from=SUNDAY, due_to=SUNDAY, open_only=True),
            ),
            (
                FRIDAY,
                "what is due this week",
                ListTasks(due_from=FRIDAY, due_to=SUNDAY, open_only=True),
            ),
            (
                SUNDAY,
                "what is due next week",
                ListTasks(due_from=NEXT_MONDAY, due_to=d(12, 6), open_only=True),
            ),
            (FRIDAY, "task 7 is due friday", SetDueDate(task(7), FRIDAY)),
            (FRIDAY, "move task 7 to next friday", SetDueDate(task(7), NEXT_FRIDAY)),
            (SUNDAY, "add task call mom monday", new("call mom", due=NEXT_MONDAY)),
        ],
    )
    def test_dates_follow_today(self, today: date, text: str, expected: Intent) -> None:
        assert parse(text, today) == expected


class TestConversation:
    @check(CHOOSE)
    def test_a_bare_answer_chooses_a_task(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected


class TestVariants:
    @check(VARIANTS)
    def test_case_politeness_and_spacing_do_not_matter(self, text: str, expected: Intent) -> None:
        assert parse(text, TODAY) == expected


class TestUnknown:
    @pytest.mark.parametrize("text", UNKNOWN, ids=repr)
    def test_anything_else_is_unknown_with_the_text_as_received(self, text: str) -> None:
        assert parse(text, TODAY) == Unknown(text)
