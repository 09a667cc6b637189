"""The one error type every discussion action raises for a refused request.

Views turn it into a 4xx page or form error, the JSON API into {"code", "message",
"field"}; nothing is stored when it is raised.
"""

from __future__ import annotations


class ActionError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        status: int = 400,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.retry_after = retry_after

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message, "field": self.field}
        if self.retry_after is not None:
            data["retry_after"] = self.retry_after
        return data


def not_found(what: str = "comment") -> ActionError:
    return ActionError(f"{what}_not_found", f"There is no such {what}.", status=404)
