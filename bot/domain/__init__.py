"""The rules of the Quran and of reading, pure: no telegram, storage, HTTP or Quran.com adapter."""
