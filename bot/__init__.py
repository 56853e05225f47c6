"""Quran Companion: a Telegram bot that syncs reading goals, streaks and notes with Quran.com."""
