"""Date polls (日程調整): candidate slots, personal answer links, results, reminders and the pick."""
