"""A readable line diff of two texts of the minutes. Pure: the template escapes and marks it up."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "same", or "gap" between distant changes
    text: str

    @property
    def marker(self) -> str:
        """The sign printed before the line, so a change is not told by colour alone."""
        return {"added": "+", "removed": "-", "same": " ", "gap": "…"}[self.kind]


def line_diff(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """Changed lines of new against old with a few lines of context; empty when they are equal."""
    lines = []
    in_hunk = False
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), n=context, lineterm="")
    for raw in diff:
        if not in_hunk and not raw.startswith("@@"):
            continue  # the ---/+++ file headers; a removed line "-- x" inside a hunk is kept
        if raw.startswith("@@"):
            in_hunk = True
            if lines:
                lines.append(DiffLine("gap", ""))
            continue
        kind = {"+": "added", "-": "removed"}.get(raw[:1], "same")
        lines.append(DiffLine(kind, raw[1:]))
    return lines
