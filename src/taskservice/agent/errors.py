"""Every error the agent endpoints answer with on purpose, as types (rendered as
problem+json by the one handler in ``taskservice.errors``)."""

import json

import openai
from agents import MaxTurnsExceeded, ModelBehaviorError

from taskservice.errors import (
    AppError,
    BadGateway,
    Conflict,
    GatewayTimeout,
    NotFound,
    TooManyRequests,
    UnprocessableContent,
)

RETRY_AFTER_S = 2


class SessionNotFound(NotFound):
    slug = "session-not-found"

    def __init__(self, session_id: str) -> None:
        super().__init__(f"Agent session {session_id!r} does not exist.")


class RunNotFound(NotFound):
    slug = "run-not-found"

    def __init__(self, run_id: str) -> None:
        super().__init__(f"Agent run {run_id!r} does not exist.")


class SessionBusy(Conflict):
    slug = "session-busy"

    def __init__(self) -> None:
        super().__init__(
            "A run is still in progress on this session; wait for it to finish or cancel it "
            "at POST /agent/runs/{id}/cancel."
        )


class TooManyRuns(TooManyRequests):
    slug = "too-many-agent-runs"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You already have {limit} agent runs in progress; retry when one finishes.",
            retry_after_s=RETRY_AFTER_S,
        )


class ApprovalsPending(Conflict):
    slug = "approvals-pending"

    def __init__(self, session_id: str) -> None:
        super().__init__(
            f"Session {session_id!r} is waiting for approval decisions; decide them at "
            f"POST /agent/sessions/{session_id}/approvals, or start a new session."
        )


class UnknownApproval(Conflict):
    slug = "approval-not-pending"

    def __init__(self, approval_id: str) -> None:
        super().__init__(f"Approval {approval_id!r} is unknown or already decided.")


class RunNotRunning(Conflict):
    slug = "run-not-running"

    def __init__(self, run_id: str, status: str) -> None:
        super().__init__(f"Run {run_id!r} has already ended ({status}); nothing to cancel.")


class RunCancelled(Conflict):
    slug = "run-cancelled"


class AgentTimeout(GatewayTimeout):
    slug = "agent-timeout"


class ProviderFailed(BadGateway):
    slug = "model-provider-error"


class TooManyTurns(UnprocessableContent):
    slug = "agent-max-turns"


class ToolLimitReached(UnprocessableContent):
    slug = "agent-tool-limit"


class RunLost(AppError):
    status = 500
    slug = "run-lost"


def provider_problem(exc: BaseException) -> AppError | None:
    """The problem a failure of the model provider answers with; None if it is not one."""
    if isinstance(exc, openai.APITimeoutError):
        return AgentTimeout("The model provider did not answer in time.")
    if isinstance(exc, openai.APIStatusError):
        return ProviderFailed(f"The model provider answered {exc.status_code}; try again later.")
    if isinstance(exc, openai.APIError | ModelBehaviorError | json.JSONDecodeError):
        return ProviderFailed("The model provider failed or sent an invalid answer.")
    return None


__all__ = ["MaxTurnsExceeded"]
