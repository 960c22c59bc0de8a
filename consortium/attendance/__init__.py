"""Attendance (出欠): presence recorded after a meeting, the attendee list of the minutes and the roster's attendance rates."""
