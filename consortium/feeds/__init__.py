"""iCalendar: one meeting's .ics, consortium, public and personal feeds."""
