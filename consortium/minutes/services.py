"""Writing minutes and moving them through review, approval and publication.

Services add and flush, never commit. A workflow step that does not apply in the minutes'
present state raises WorkflowError with a message for the user; the view flashes it.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from .. import audit
from ..directory.matching import find_people
from ..extensions import db
from ..japanese import search_key, today_tokyo
from ..meetings.services import mark_held
from ..models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Decision,
    DiscussionPoint,
    Meeting,
    Membership,
    Minutes,
    MinutesApproval,
    MinutesComment,
    MinutesRevision,
    MinutesStatus,
    Person,
    User,
)
from ..models.base import utcnow
from . import queries
from .text import minutes_as_text

EDITABLE = (MinutesStatus.DRAFT, MinutesStatus.IN_REVIEW)
CHAIR_CAPACITY = "座長"  # stored data, as printed on the signature line


class WorkflowError(Exception):
    """A step that does not apply now; str(error) says why, in the user's language."""


def is_editable(minutes: Minutes | None) -> bool:
    """Drafts and minutes in review may be edited; approved or published ones must be reopened first."""
    return minutes is None or minutes.status in EDITABLE


def has_conflict(minutes: Minutes | None, loaded_version: int) -> bool:
    """Whether someone changed the text since the editor was loaded at loaded_version.

    Workflow steps (review, approval…) also raise the version, but change no text: a save made
    across one of them is no conflict. The text at loaded_version is that of the newest revision
    saved at or before it.
    """
    current = minutes.version if minutes is not None else 0
    if loaded_version == current:
        return False
    if minutes is None or loaded_version == 0:
        return True
    base = queries.latest_revision(minutes, at_most=loaded_version)
    return base is None or base.content != minutes_as_text(minutes)


class _People:
    """Turn a typed name into a Person when it names exactly one, else keep it as a label."""

    def __init__(self, consortium_id: int) -> None:
        self.consortium_id = consortium_id
        self._members: set[int] | None = None
        self._named: dict[str, list[Person]] = {}  # minutes name the same few speakers again and again

    def members(self) -> set[int]:
        if self._members is None:
            self._members = set(
                db.session.execute(
                    sa.select(Membership.person_id).where(
                        Membership.consortium_id == self.consortium_id, Membership.person_id.is_not(None)
                    )
                ).scalars()
            )
        return self._members

    def resolve(self, name: str | None, current: Person | None) -> tuple[Person | None, str | None]:
        if not name:
            return None, None
        if current is not None and search_key(current.family_name, current.given_name) == search_key(name):
            return current, None  # the same person as before, even if the name has since become ambiguous
        key = search_key(name)
        if key not in self._named:
            self._named[key] = find_people(name)
        found = self._named[key]
        if len(found) > 1:
            ours = [p for p in found if p.id in self.members()]
            found = ours if len(ours) == 1 else found
        return (found[0], None) if len(found) == 1 else (None, name)


def _sync(existing: list, submitted: list[dict], new_row, fill) -> list:
    """The rows in the submitted order: edited, added, or deleted only when the row's box was ticked.

    A stored row the submission does not mention (someone else added it after this page was
    loaded) is kept at the end rather than silently deleted.
    """
    by_id = {row.id: row for row in existing}
    handled: set[int] = set()
    kept = []
    for data in submitted:
        row = by_id.get(data["id"]) if data["id"] not in handled else None
        if data["delete"]:
            if row is not None:
                handled.add(row.id)
            continue
        if row is None:
            row = new_row()  # a new row, or one deleted meanwhile by someone else: its text is kept
        else:
            handled.add(row.id)
        fill(row, data)
        kept.append(row)
    kept += [row for row in existing if row.id not in handled]
    for position, row in enumerate(kept, start=1):
        row.position = position
    return kept


def save_minutes(
    meeting: Meeting, minutes: Minutes | None, content: dict, items: dict[int, AgendaItem], user: User
) -> Minutes | None:
    """Create or update the minutes from the editor's content and record a revision.

    Returns None, changing nothing, when the text would stay as it is. Raises StaleDataError at
    flush if another save got in first.
    """
    before = minutes_as_text(minutes) if minutes is not None else None
    if minutes is None:
        minutes = Minutes(meeting=meeting, status=MinutesStatus.DRAFT)
        db.session.add(minutes)
    minutes.heading = content["heading"]
    minutes.body = content["body"]
    minutes.source_note = content["source_note"]
    people = _People(meeting.consortium_id)
    now = utcnow()

    def fill_point(row: DiscussionPoint, data: dict) -> None:
        row.text = data["text"]
        row.agenda_item = items.get(data["agenda_item_id"])
        row.speaker, row.speaker_label = people.resolve(data["speaker"], row.speaker)

    def fill_decision(row: Decision, data: dict) -> None:
        row.text = data["text"]
        row.agenda_item = items.get(data["agenda_item_id"])

    def fill_action(row: ActionItem, data: dict) -> None:
        row.text = data["text"]
        row.owner, row.owner_label = people.resolve(data["owner"], row.owner)
        row.due_on = data["due_on"]
        status = ActionStatus(data["status"])
        if status is not row.status:
            row.done_at = now if status is ActionStatus.DONE else None
        row.status = status

    # One flush at the end: a name lookup midway would otherwise flush, and each flush of the
    # minutes row raises its version.
    with db.session.no_autoflush:
        minutes.points = _sync(minutes.points, content["points"], DiscussionPoint, fill_point)
        minutes.decisions = _sync(minutes.decisions, content["decisions"], Decision, fill_decision)
        minutes.action_items = _sync(
            minutes.action_items, content["actions"], lambda: ActionItem(status=ActionStatus.OPEN), fill_action
        )
    after = minutes_as_text(minutes)
    if after == before:
        return None
    # Touch the row itself so its UPDATE, and the version check that goes with it, happens even
    # when only points or decisions changed.
    minutes.updated_at = now
    db.session.flush()
    _write_revision(minutes, user, after)
    return minutes


def _write_revision(minutes: Minutes, user: User, content: str | None = None) -> None:
    db.session.add(
        MinutesRevision(
            minutes_id=minutes.id,
            version=minutes.version,
            user_id=user.id,
            content=content if content is not None else minutes_as_text(minutes),
        )
    )
    db.session.flush()


def _status_change(minutes: Minutes, status: MinutesStatus, action: str, **extra) -> None:
    before = minutes.status
    minutes.status = status
    audit.record(action, minutes, {"status": before.value}, {"status": status.value, **extra})


def add_chair(minutes: Minutes, today: date | None = None) -> list[MinutesApproval]:
    """Designate the consortium's chair as signatory, when signatories are first set up."""
    if minutes.approvals:
        return []  # the secretariat has chosen; a chair they removed stays removed
    today = today or today_tokyo()
    added = []
    for user in queries.chair_users(minutes.meeting.consortium_id, today):
        approval = MinutesApproval(user=user, capacity=CHAIR_CAPACITY)
        minutes.approvals.append(approval)
        added.append(approval)
    return added


def send_to_review(minutes: Minutes) -> None:
    """Circulate draft minutes to the members and speakers for comment (発言者確認)."""
    if minutes.status is not MinutesStatus.DRAFT:
        raise WorkflowError(_("Only draft minutes can be sent for review."))
    add_chair(minutes)
    _status_change(minutes, MinutesStatus.IN_REVIEW, "review")


def add_comment(minutes: Minutes, user: User, body: str) -> MinutesComment:
    """Record a reviewer's comment; only while the minutes are in review."""
    if minutes.status is not MinutesStatus.IN_REVIEW:
        raise WorkflowError(_("Comments can be made only while the minutes are in review."))
    comment = MinutesComment(minutes=minutes, user_id=user.id, body=body)
    db.session.add(comment)
    db.session.flush()
    return comment


def designate(minutes: Minutes, user: User, capacity: str) -> MinutesApproval:
    """Designate a signatory (会議録署名); the chair is added with the first one."""
    if not is_editable(minutes):
        raise WorkflowError(_("Reopen the minutes before changing who signs them."))
    if any(a.user_id == user.id for a in minutes.approvals):
        raise WorkflowError(_("%(name)s is already a signatory.", name=user.display_name))
    add_chair(minutes)
    existing = next((a for a in minutes.approvals if a.user_id == user.id), None)
    if existing is not None:  # the chair, just added
        existing.capacity = capacity
        approval = existing
    else:
        approval = MinutesApproval(user=user, capacity=capacity)
        minutes.approvals.append(approval)
    db.session.flush()
    audit.record("designate", minutes, None, {"user_id": user.id, "capacity": capacity})
    return approval


def remove_signatory(minutes: Minutes, approval_id: int | None) -> MinutesApproval:
    """Take a signatory off the minutes; if all who remain have signed, the minutes are approved."""
    approval = next((a for a in minutes.approvals if a.id == approval_id), None)
    if approval is None:
        raise WorkflowError(_("That signatory is not on these minutes."))
    if not is_editable(minutes):
        raise WorkflowError(_("Reopen the minutes before changing who signs them."))
    minutes.approvals.remove(approval)
    audit.record("remove_signatory", minutes, {"user_id": approval.user_id, "capacity": approval.capacity}, None)
    _complete_if_signed(minutes)
    db.session.flush()
    return approval


def approve(minutes: Minutes, user: User) -> bool:
    """Sign the minutes as a designated signatory; True when that completes the approval."""
    approval = next((a for a in minutes.approvals if a.user_id == user.id), None)
    if approval is None:
        raise WorkflowError(_("You are not a signatory of these minutes."))
    if minutes.status is not MinutesStatus.IN_REVIEW:
        raise WorkflowError(_("Minutes can be approved only while they are in review."))
    if approval.approved_at is not None:
        raise WorkflowError(_("You have already approved these minutes."))
    approval.approved_at = utcnow()
    audit.record("approve", minutes, None, {"user_id": user.id, "capacity": approval.capacity})
    return _complete_if_signed(minutes)


def _complete_if_signed(minutes: Minutes) -> bool:
    signed = bool(minutes.approvals) and all(a.approved_at is not None for a in minutes.approvals)
    if signed and minutes.status is MinutesStatus.IN_REVIEW:
        _status_change(minutes, MinutesStatus.APPROVED, "approved")
        return True
    return False


def publish(minutes: Minutes) -> None:
    """Publish approved minutes: from now on whoever may see the meeting may read them. A planned
    meeting that has begun is marked held: its minutes are out."""
    if minutes.status is not MinutesStatus.APPROVED:
        raise WorkflowError(_("Only approved minutes can be published."))
    minutes.published_at = utcnow()
    _status_change(minutes, MinutesStatus.PUBLISHED, "publish")
    mark_held(minutes.meeting)


def reopen(minutes: Minutes) -> None:
    """Send the minutes back to draft to be edited; every approval must then be given again."""
    if minutes.status is MinutesStatus.DRAFT:
        raise WorkflowError(_("The minutes are already a draft."))
    signed = [a.user_id for a in minutes.approvals if a.approved_at is not None]
    for approval in minutes.approvals:
        approval.approved_at = None
    minutes.published_at = None
    _status_change(minutes, MinutesStatus.DRAFT, "reopen", approvals_cleared=signed)


def mark_done(minutes: Minutes, action_id: int | None, user: User) -> ActionItem:
    """Mark one of the minutes' action items done, as a new revision of the minutes."""
    action = next((a for a in minutes.action_items if a.id == action_id), None)
    if action is None:
        raise WorkflowError(_("That action item is not in these minutes."))
    if action.status is ActionStatus.DONE:
        raise WorkflowError(_("That action item is already done."))
    now = utcnow()
    action.status = ActionStatus.DONE
    action.done_at = now
    minutes.updated_at = now  # a new version, so an editor open on the old one cannot undo this
    db.session.flush()
    _write_revision(minutes, user)
    return action
