"""Minutes as plain text in one stable layout: what revisions store, diffs compare and the
conflict page shows side by side.

The labels are fixed Japanese, not translated: a revision saved by someone reading the site in
English must compare line by line with one saved in Japanese. Pure functions, no request state.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..models import ActionStatus, AgendaItem, Minutes

INDENT = "   "


@dataclass(frozen=True)
class Entry:
    """One discussion point, decision or action item, as the text prints it."""

    text: str
    item: str | None = None  # the agenda item it falls under
    who: str | None = None  # speaker, or owner of an action
    due_on: date | None = None
    done: bool = False


def item_reference(item: AgendaItem | None) -> str | None:
    """How an entry names its agenda item: the item's label, or its title when unlabelled."""
    if item is None:
        return None
    return item.label or item.title


def person_or_label(person, label: str | None) -> str | None:
    return person.full_name if person is not None else label


def _block(text: str) -> str:
    """Continuation lines indented, so a multi-line entry stays one entry in a diff."""
    return ("\n" + INDENT).join(text.split("\n"))


def _numbered(title: str, entries: list[Entry], line) -> list[str]:
    if not entries:
        return []
    out = ["", f"【{title}】"]
    out += [f"{n}. {line(e)}" for n, e in enumerate(entries, start=1)]
    return out


def _point(e: Entry) -> str:
    prefix = f"（{e.item}）" if e.item else ""
    speaker = f"{e.who}：" if e.who else ""
    return prefix + speaker + _block(e.text)


def _decision(e: Entry) -> str:
    return (f"（{e.item}）" if e.item else "") + _block(e.text)


def _action(e: Entry) -> str:
    details = []
    if e.who:
        details.append(f"担当：{e.who}")
    if e.due_on:
        details.append(f"期限：{e.due_on.isoformat()}")
    tail = f"（{'、'.join(details)}）" if details else ""
    return f"[{'完了' if e.done else '未了'}] " + _block(e.text) + tail


def render_text(
    heading: str | None,
    body: str | None,
    source_note: str | None,
    points: list[Entry],
    decisions: list[Entry],
    actions: list[Entry],
) -> str:
    """The minutes in the layout every revision uses; empty parts are left out."""
    lines = []
    if heading:
        lines.append(f"見出し：{heading}")
    if source_note:
        lines.append(f"出典：{_block(source_note)}")
    if body:
        lines += ["", "【本文】", body]
    lines += _numbered("主な発言", points, _point)
    lines += _numbered("決定事項", decisions, _decision)
    lines += _numbered("対応事項", actions, _action)
    return "\n".join(lines).strip("\n") + "\n"


def minutes_as_text(minutes: Minutes) -> str:
    """The stored minutes as text (load points, decisions and actions with their people and items)."""
    return render_text(
        minutes.heading,
        minutes.body,
        minutes.source_note,
        [
            Entry(p.text, item_reference(p.agenda_item), person_or_label(p.speaker, p.speaker_label))
            for p in minutes.points
        ],
        [Entry(d.text, item_reference(d.agenda_item)) for d in minutes.decisions],
        [
            Entry(
                a.text,
                who=person_or_label(a.owner, a.owner_label),
                due_on=a.due_on,
                done=a.status is ActionStatus.DONE,
            )
            for a in minutes.action_items
        ],
    )


def content_as_text(content: dict, items: dict[int, AgendaItem]) -> str:
    """Submitted editor content (MinutesForm.content()) as text, names as the user typed them."""
    kept = {name: [row for row in content[name] if not row["delete"]] for name in ("points", "decisions", "actions")}
    return render_text(
        content["heading"],
        content["body"],
        content["source_note"],
        [Entry(r["text"], item_reference(items.get(r["agenda_item_id"])), r["speaker"]) for r in kept["points"]],
        [Entry(r["text"], item_reference(items.get(r["agenda_item_id"]))) for r in kept["decisions"]],
        [
            Entry(r["text"], who=r["owner"], due_on=r["due_on"], done=r["status"] == ActionStatus.DONE.value)
            for r in kept["actions"]
        ],
    )
