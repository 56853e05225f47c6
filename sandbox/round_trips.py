"""Count the Quran.com round trips a user waits for, one after another, in one action.

A command that makes three calls side by side waits for one round trip; one that makes them one
after another waits for three. With the fake's `latency` set, every call takes at least that
long, so calls overlap exactly when the client made them concurrently. `sequential_round_trips`
counts the waves: a call that starts after every call of the current wave has answered opens a
new wave (the client must have waited for an answer before making it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sandbox.quran_foundation.model import RecordedRequest


@dataclass(frozen=True)
class RoundTrips:
    """What one action cost upstream: waves of calls in order, and the calls in each."""

    waves: tuple[tuple[str, ...], ...]

    @property
    def sequential(self) -> int:
        return len(self.waves)

    @property
    def calls(self) -> int:
        return sum(len(wave) for wave in self.waves)

    def describe(self) -> str:
        """ "2 sequential (GET /v1/goals/get-todays-plan ×3 → POST /v1/goals)"."""
        steps = []
        for wave in self.waves:
            names = sorted(set(wave))
            steps.append(" + ".join(
                f"{name} ×{wave.count(name)}" if wave.count(name) > 1 else name for name in names
            ))
        return f"{self.sequential} sequential ({' → '.join(steps)})"


def sequential_round_trips(requests: Iterable[RecordedRequest]) -> RoundTrips:
    """The waves of User API calls among `requests` (OAuth calls are left out: a token refresh
    is its own story, measured by the token tests)."""
    calls = sorted(
        (r for r in requests if r.api_path is not None), key=lambda r: r.started
    )
    waves: list[list[str]] = []
    wave_end = float("-inf")
    for call in calls:
        finished = call.finished if call.finished is not None else call.started
        name = f"{call.method} {call.api_path}"
        if not waves or call.started >= wave_end:
            waves.append([name])
            wave_end = finished
        else:
            waves[-1].append(name)
            wave_end = max(wave_end, finished)
    return RoundTrips(tuple(tuple(wave) for wave in waves))
