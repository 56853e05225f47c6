"""Stand-ins for the outside world (Quran Foundation, Telegram) used by tests and demo mode."""
