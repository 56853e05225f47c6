"""Linking a Telegram user to a Quran.com account: the login link, the OAuth callback, and the
Telegram confirmation that finally links.

Quran Foundation only offers the authorization-code flow, so linking is a browser round trip
that leaves Telegram: the bot hands out a one-off link and the callback, served by the bot's own
web server (`bot.app.web`), finishes the job; what the callback did is said by the page in
`bot.presentation.login_pages`. Everything here is plain Python (no Telegram), so the web
server, the handlers and the tests share one implementation.

Security, in the order the flow meets it:

* The `state` in the link is 256 random bits, stored with the Telegram user id, the PKCE verifier
  and the nonce; it works once, for `LOGIN_TTL`, and is redeemed in one transaction
  (`LoginAttemptRepository.consume`), so a replayed or raced callback can never link twice.
* PKCE (S256) binds the code to the login that asked for it: a code obtained through somebody
  else's link cannot be exchanged with this state's verifier.
* The code is exchanged with HTTP Basic client authentication and the exact registered
  redirect URI; the id_token's nonce must match the one stored with the state.
* The callback links nothing. A login link works in any browser, so whoever opens a forwarded
  link would otherwise hand their Quran.com account to the Telegram user who asked for it. The
  grant is held, encrypted, on the attempt under a one-time confirm code, and the page's only
  way on is `t.me/<bot>?start=c_<code>`: `finish_login` links it only for the Telegram user who
  started the login (the handler also insists on the private chat). Opened by anyone else, the
  grant is discarded and revoked at Quran.com, since it belongs to whoever signed in.
* The page never names the account the starter has linked now: its reader may be a stranger.
* Codes, states and tokens are never logged; tokens are stored encrypted by the repositories.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.i18n import Translator, resolve_language
from bot.qf import QFError, new_nonce, new_pkce_pair, new_state
from bot.qf.errors import BadRequest, InvalidResponse, Unauthorized
from bot.qf.friendly import SCOPE_FEATURES
from bot.services.deps import Deps
from bot.services.revocations import end_grant, revoke_due
from storage import LoginAttempt, PendingGrant

logger = logging.getLogger(__name__)

#: How long a login link stays usable. Long enough to type a password and answer a 2FA
#: prompt; short enough that a forwarded or leaked link is soon worthless.
LOGIN_TTL = timedelta(minutes=10)
#: Used states are kept this long so a replayed callback says "already used", not "unknown".
ATTEMPT_RETENTION = timedelta(days=1)
#: Deep-link payload handlers.start answers with "linked as …". The callback page no longer
#: uses it (it sends the confirm link instead); links handed out before keep working.
LINKED_DEEP_LINK = "linked"
#: How long after the callback the signed-in grant waits for its Telegram confirmation.
CONFIRM_TTL = timedelta(minutes=10)
#: Deep-link payload prefix of the confirm link: `c_<code>` (Telegram allows 1–64 characters of
#: [A-Za-z0-9_-]; 16 random bytes are 22 of them).
CONFIRM_PREFIX = "c_"
#: The confirm link as it appears on the callback page; tests and the sandbox read it back.
CONFIRM_LINK = re.compile(r"https://t\.me/(?P<bot>\w+)\?start=(?P<payload>c_[A-Za-z0-9_-]{1,62})")

FinishStatus = Literal["linked", "someone_else", "unknown", "used", "expired"]
#: Why an OAuth callback linked nothing; each has its page in `bot.presentation.login_pages`.
CallbackProblem = Literal[
    "incomplete",  # no state or code: not a callback Quran.com sent
    "cancelled",  # the user said no on the consent screen
    "refused",  # Quran.com reported another OAuth error
    "unknown",  # a state this bot never issued (or whose login was erased)
    "used",  # the state was redeemed before
    "expired",  # the login link outlived LOGIN_TTL
    "unverified",  # the id_token's nonce is not the login's
    "not_accepted",  # Quran.com refused the code exchange
    "unreachable",  # Quran.com did not answer the code exchange
]


@dataclass(frozen=True)
class LoginLink:
    """A fresh login link for one Telegram user; send it only to that user's private chat."""

    url: str
    expires_at: datetime


@dataclass(frozen=True)
class AccountLinked:
    """Put on the Application's update queue when a callback linked an account.

    `chat_id` is the private chat the login started in: `bot.app.processor.update_key` serialises
    the event with that chat's other updates, and the handler writes there.
    """

    telegram_user_id: int
    chat_id: int
    display_name: str | None
    language: str
    #: Display name of a different Quran.com account this link replaced, if any.
    replaced: str | None = None
    #: Scopes asked for but not granted (the user unticked them on the consent screen).
    missing_scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallbackOutcome:
    """What the OAuth callback did, for the web server to answer with: an HTTP status and the
    page `bot.presentation.login_pages.callback_page` renders from the rest."""

    status_code: int
    #: The page's language (see `_page_language`).
    language: str
    #: Where the page's button leads: the confirm link after a sign-in, else back to the bot.
    back_url: str | None
    #: Why nothing was signed in, or None: signed in, now finish in Telegram.
    problem: CallbackProblem | None = None
    #: The account that signed in, shown only to whoever holds this browser page.
    display_name: str | None = None
    #: For "refused": Quran.com's error code, cleaned for display (`_safe_code`).
    reason: str = ""
    #: Queued for the bot by the web server. The callback no longer links, so it is None: the
    #: Telegram confirmation step (`finish_login`) produces the `AccountLinked` instead.
    event: AccountLinked | None = None


@dataclass(frozen=True)
class FinishOutcome:
    """What opening a confirm link did; `linked` is set only when status is "linked"."""

    status: FinishStatus
    linked: AccountLinked | None = None


async def start_login(
    deps: Deps, *, telegram_user_id: int, chat_id: int, language: str | None = None
) -> LoginLink:
    """Create a single-use login for the user and return the Quran.com authorization link.

    `language` is the user's language as the bot knows it at this moment (their Telegram
    language when they never chose one); the callback page uses it.
    """
    now = deps.clock()
    state = new_state()
    nonce = new_nonce()
    verifier, challenge = new_pkce_pair()
    # Old attempts are useless after their TTL; dropping them here keeps the table small
    # without a scheduled job.
    await deps.logins.purge(older_than=now - ATTEMPT_RETENTION, now=now)
    await deps.logins.create(
        state=state,
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        code_verifier=verifier,
        nonce=nonce,
        language=language,
        now=now,
    )
    url = deps.qf.authorization_url(
        state=state,
        nonce=nonce,
        code_challenge=challenge,
        redirect_uri=deps.settings.oauth_redirect_uri,
        scopes=deps.settings.scopes,
    )
    return LoginLink(url=url, expires_at=now + LOGIN_TTL)


async def complete_login(deps: Deps, params: Mapping[str, str]) -> CallbackOutcome:
    """Handle `GET /oauth/callback?code=…&state=…` (or `?error=…&state=…`).

    Always answers with a small page (`bot.presentation.login_pages.callback_page`). A
    successful sign-in is held, not linked: the page sends the reader to Telegram with a
    confirm link (see `finish_login`).
    """
    state = params.get("state", "")
    error = params.get("error")
    code = params.get("code", "")
    now = deps.clock()

    if not state or (not code and not error):
        logger.info("OAuth callback without state or code")
        return _nothing_linked(deps, resolve_language(), 400, "incomplete")

    result = await deps.logins.consume(state, now=now, ttl=LOGIN_TTL)
    attempt = result.attempt
    language = await _page_language(deps, attempt)

    if error:
        # The state is spent either way: a denied login must not be resumable.
        logger.info("OAuth callback reports %s", _safe_code(error))
        if error == "access_denied":
            return _nothing_linked(deps, language, 200, "cancelled")
        return _nothing_linked(deps, language, 400, "refused", reason=_safe_code(error))

    if result.status == "unknown" or attempt is None:
        logger.info("OAuth callback with an unknown state")
        return _nothing_linked(deps, language, 400, "unknown")
    if result.status == "used":
        logger.info("OAuth callback replayed for Telegram user %s", attempt.telegram_user_id)
        return _nothing_linked(deps, language, 400, "used")
    if result.status == "expired":
        logger.info("OAuth callback after expiry for Telegram user %s", attempt.telegram_user_id)
        return _nothing_linked(deps, language, 400, "expired")

    try:
        tokens = await deps.qf.exchange_code(
            code=code,
            code_verifier=attempt.code_verifier,
            redirect_uri=deps.settings.oauth_redirect_uri,
        )
        sub, display_name = await deps.qf.fetch_identity(tokens, expected_nonce=attempt.nonce)
    except QFError as failure:
        logger.warning(
            "linking Telegram user %s failed: %s %s",
            attempt.telegram_user_id,
            failure.status,
            failure.code,
        )
        return _exchange_failure(deps, language, failure)

    confirm_code = new_confirm_code()
    held = await deps.logins.hold_grant(
        attempt.state,
        PendingGrant(
            qf_sub=sub,
            display_name=display_name,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=tokens.expires_at,
            scopes=tokens.scopes or tuple(deps.settings.scopes),
        ),
        confirm_code=confirm_code,
        expires_at=now + CONFIRM_TTL,
    )
    if not held:
        # The attempt vanished between consume and now (the user erased their data).
        await end_grant(deps, tokens.refresh_token or tokens.access_token, reason="refused")
        return _nothing_linked(deps, language, 400, "unknown")
    logger.info(
        "Telegram user %s signed in at Quran.com; waiting for the Telegram confirmation",
        attempt.telegram_user_id,
    )
    return CallbackOutcome(
        200,
        language,
        back_url=telegram_url(deps, CONFIRM_PREFIX + confirm_code),
        display_name=display_name,
    )


def new_confirm_code() -> str:
    """128 random bits, URL-safe: unguessable, and short enough for a /start payload."""
    return secrets.token_urlsafe(16)


async def finish_login(
    deps: Deps, *, confirm_code: str, telegram_user_id: int, t: Translator
) -> FinishOutcome:
    """Link the grant held under `confirm_code`, if `telegram_user_id` started that login.

    The grant is taken (and erased) first, whoever opened the link: a refused stranger cannot
    leave it for a retry, and the grant, which belongs to whoever signed in, is revoked.
    Call this only from the user's private chat.
    """
    result = await deps.logins.take_grant(confirm_code, now=deps.clock())
    attempt, grant = result.attempt, result.grant
    if result.status != "ok" or attempt is None or grant is None:
        if grant is not None:
            # Expired unconfirmed: nobody will ever use it, so end it at Quran.com too.
            await end_grant(deps, grant.refresh_token or grant.access_token, reason="expired")
        logger.info("confirm link refused: %s", result.status)
        status: FinishStatus = "expired" if result.status == "ok" else result.status
        return FinishOutcome(status)

    if attempt.telegram_user_id != telegram_user_id:
        logger.warning(
            "Telegram user %s opened the confirm link of a login started by Telegram user %s; "
            "nothing linked, the grant is revoked",
            telegram_user_id,
            attempt.telegram_user_id,
        )
        await end_grant(deps, grant.refresh_token or grant.access_token, reason="refused")
        return FinishOutcome("someone_else")

    previous = await deps.accounts.get(telegram_user_id)
    await deps.accounts.save(
        telegram_user_id,
        qf_sub=grant.qf_sub,
        display_name=grant.display_name,
        access_token=grant.access_token,
        refresh_token=grant.refresh_token,
        expires_at=grant.expires_at,
        scopes=grant.scopes,
    )
    if previous is not None:
        # `save` queued the replaced grant; revoke it while the user waits, if Quran.com answers.
        await revoke_due(deps, limit=1, newest_first=True)
    replaced = None
    if previous is not None and previous.qf_sub != grant.qf_sub:
        replaced = previous.display_name or t.gettext("another Quran.com account")
    granted = set(grant.scopes)
    missing = (
        tuple(scope for scope in deps.settings.scopes if scope not in granted) if granted else ()
    )
    logger.info("Telegram user %s linked a Quran.com account", telegram_user_id)
    return FinishOutcome(
        "linked",
        AccountLinked(
            telegram_user_id=telegram_user_id,
            chat_id=attempt.chat_id,
            display_name=grant.display_name,
            language=t.language,
            replaced=replaced,
            missing_scopes=missing,
        ),
    )


def missing_features(scopes: tuple[str, ...], t: Translator) -> list[str]:
    """The features a user switched off by not granting `scopes`, in their language."""
    return [t.gettext(SCOPE_FEATURES[scope]) for scope in scopes if scope in SCOPE_FEATURES]


# --- callback outcomes ----------------------------------------------------------------------------


def _nothing_linked(
    deps: Deps, language: str, status: int, problem: CallbackProblem, *, reason: str = ""
) -> CallbackOutcome:
    return CallbackOutcome(
        status, language, back_url=telegram_url(deps), problem=problem, reason=reason
    )


def _exchange_failure(deps: Deps, language: str, failure: QFError) -> CallbackOutcome:
    if failure.code == "nonce_mismatch":
        return _nothing_linked(deps, language, 400, "unverified")
    if isinstance(failure, BadRequest | Unauthorized | InvalidResponse):
        return _nothing_linked(deps, language, 400, "not_accepted")
    return _nothing_linked(deps, language, 502, "unreachable")


def telegram_url(deps: Deps, payload: str | None = None) -> str | None:
    """t.me link back to the bot (with a /start payload), or None before the bot knows its
    username."""
    if not deps.bot_username:
        return None
    url = f"https://t.me/{deps.bot_username}"
    return f"{url}?start={payload}" if payload else url


# --- helpers ----------------------------------------------------------------------------------


def _safe_code(error: str) -> str:
    """An OAuth error code as it may be logged or shown: short, no free text from the URL."""
    cleaned = "".join(ch for ch in error if ch.isalnum() or ch in "_-.")
    return cleaned[:40] or "unknown"


async def _page_language(deps: Deps, attempt: LoginAttempt | None) -> str:
    """The page cannot ask Telegram who is looking at it: use the language the user chose, else
    the one their Telegram app had when they asked for the link (stored with the attempt)."""
    if attempt is None:
        return resolve_language()
    settings = await deps.chats.get(attempt.telegram_user_id)
    stored = settings.language if settings is not None else None
    return resolve_language(stored, attempt.language)
