"""Use cases that combine the Quran.com adapter and storage; no telegram."""
