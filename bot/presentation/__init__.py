"""Text and pictures for people: how goals, reading, notes and progress are said back."""
