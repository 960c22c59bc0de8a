"""Rules the database itself enforces, and times stored as UTC."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from consortium.japanese import tokyo_datetime
from consortium.models import Consortium, Meeting, Membership, Minutes


def test_membership_must_name_a_person_or_an_organisation(db, make_consortium):
    consortium = make_consortium()
    db.session.add(Membership(consortium=consortium))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_membership_cannot_name_both(db, make_consortium, make_person, make_organization):
    consortium = make_consortium()
    db.session.add(Membership(consortium=consortium, person=make_person(), organization=make_organization()))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_meeting_must_end_after_it_starts(db, make_consortium):
    start = tokyo_datetime(2030, 1, 1, 10)
    db.session.add(Meeting(consortium=make_consortium(), title="x", starts_at=start, ends_at=start))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_seat_is_unique_among_current_members(db, make_consortium, make_member):
    consortium = make_consortium()
    make_member(consortium, seat=1)
    with pytest.raises(IntegrityError):
        make_member(consortium, seat=1)


def test_a_former_holder_keeps_the_seat_in_history(db, make_consortium, make_member, make_organization):
    """At a staff transfer the bank stays on the roster; the old representative's term ends."""
    consortium = make_consortium()
    bank = make_organization(name="テスト銀行")
    old = make_member(consortium, seat=8, on_behalf_of=bank, term_start=date(2022, 4, 1))
    old.term_end = date(2023, 3, 31)
    db.session.commit()
    make_member(consortium, seat=8, on_behalf_of=bank, term_start=date(2023, 4, 1))
    seats = db.session.execute(sa.select(Membership.seat).where(Membership.consortium_id == consortium.id)).scalars().all()
    assert seats == [8, 8]


def test_same_seat_number_in_another_consortium_is_fine(db, make_consortium, make_member):
    make_member(make_consortium(), seat=1)
    make_member(make_consortium(), seat=1)


def test_deleting_a_consortium_with_meetings_is_refused(db, make_consortium, make_meeting):
    consortium = make_consortium()
    make_meeting(consortium)
    db.session.delete(consortium)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(Consortium, consortium.id) is not None


def test_deleting_a_meeting_with_minutes_is_refused(db, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium())
    db.session.add(Minutes(meeting=meeting))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.delete(Meeting).where(Meeting.id == meeting.id))
        db.session.commit()


def test_deleting_a_consortium_without_meetings_removes_its_roster(db, make_consortium, make_member):
    consortium = make_consortium()
    make_member(consortium, seat=1)
    db.session.delete(consortium)
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Membership)).scalar() == 0


def test_times_are_stored_as_utc_and_read_back_aware(db, make_consortium, make_meeting):
    meeting = make_meeting(make_consortium(), starts_at=tokyo_datetime(2018, 5, 25, 14, 15), ends_at=None)
    db.session.expire_all()
    raw = db.session.execute(sa.text("SELECT starts_at FROM meeting WHERE id = :id"), {"id": meeting.id}).scalar()
    if isinstance(raw, str):  # SQLite keeps the UTC wall-clock time, without a zone
        assert datetime.fromisoformat(raw) == datetime(2018, 5, 25, 5, 15)
    else:
        assert raw == datetime(2018, 5, 25, 5, 15, tzinfo=timezone.utc)
    loaded = db.session.get(Meeting, meeting.id)
    assert loaded.starts_at == datetime(2018, 5, 25, 5, 15, tzinfo=timezone.utc)
    assert loaded.starts_at.tzinfo is not None


def test_naive_datetimes_are_refused(db, make_consortium):
    db.session.add(Meeting(consortium=make_consortium(), title="x", starts_at=datetime(2030, 1, 1, 10)))
    with pytest.raises(sa.exc.StatementError):
        db.session.commit()


def test_minutes_saved_from_an_old_version_are_refused(app, db, make_consortium, make_meeting):
    """Optimistic locking: the second of two editors cannot silently overwrite the first."""
    meeting = make_meeting(make_consortium())
    db.session.add(Minutes(meeting=meeting, body="v1"))
    db.session.commit()
    minutes = db.session.execute(sa.select(Minutes)).scalar_one()
    assert minutes.version == 1
    with db.engine.begin() as other_editor:
        other_editor.execute(sa.update(Minutes.__table__).values(body="theirs", version=2))
    minutes.body = "mine"
    with pytest.raises(StaleDataError):
        db.session.commit()


def test_unknown_enum_values_are_refused_by_the_database(db, make_consortium):
    consortium = make_consortium()
    with pytest.raises((IntegrityError, sa.exc.StatementError)):
        db.session.execute(sa.text("UPDATE consortium SET status = 'bogus' WHERE id = :id"), {"id": consortium.id})
        db.session.commit()


@pytest.mark.parametrize("change", ["add item", "edit item", "add presenter", "delete item"])
def test_agenda_changes_move_the_meetings_last_modified(db, make_consortium, make_meeting, make_person, change):
    from consortium.models import AgendaItem, AgendaPresenter

    meeting = make_meeting(make_consortium())
    item = AgendaItem(meeting=meeting, title="開会", position=1)
    db.session.add(item)
    db.session.commit()
    long_ago = datetime(2000, 1, 1, tzinfo=timezone.utc)
    db.session.execute(sa.update(Meeting).values(updated_at=long_ago))
    db.session.commit()
    db.session.expire_all()
    item = db.session.get(AgendaItem, item.id)
    if change == "add item":
        db.session.add(AgendaItem(meeting_id=meeting.id, title="報告", position=2))
    elif change == "edit item":
        item.title = "開会あいさつ"
    elif change == "add presenter":
        db.session.add(AgendaPresenter(agenda_item_id=item.id, person=make_person()))
    else:
        db.session.delete(item)
    db.session.commit()
    assert db.session.get(Meeting, meeting.id).updated_at > long_ago
