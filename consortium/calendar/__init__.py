"""Calendar pages (month and list) with Japanese national holidays."""
