"""QuranReflect posts through the adapter against the spec-validated fake, in every contract."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from qf_support import QFWorld, qf_world
from reflect_support import AYAT_AL_KURSI, CONTRACTS, undeclared_query

from bot.qf import NoteInput, NotFound, UserSession


@pytest.fixture(params=CONTRACTS)
async def world(request: pytest.FixtureRequest) -> AsyncIterator[QFWorld]:
    async with qf_world(request.param, send_last_mutation_at=request.param == "2026-03-29") as w:
        yield w
        assert undeclared_query(request.param, w.fake.requests) == []
        reflect_reads = [r for r in w.fake.requests if r.api_path and (
            r.api_path.startswith("/v1/posts") or r.api_path == "/v1/notes/by-attached-entity")]
        for contract in CONTRACTS:
            # The QuranReflect reads are the same in every contract: one client, every
            # environment (this also checks pre-live's spec where the fake cannot play it).
            assert undeclared_query(contract, reflect_reads) == []


@pytest.fixture
def user(world: QFWorld) -> UserSession:
    return world.link()


async def test_public_reflections_on_a_verse_come_from_the_filtered_feed(
    world: QFWorld, user: UserSession
) -> None:
    for n in range(7):
        world.fake.add_post(f"{AYAT_AL_KURSI} #{n}", [(2, 255, 255)], likes=n)
    world.fake.add_post("On the opening", [(1, 1, 7)])
    first = await user.reflections_on(2, 255, 255, page=1, limit=5)
    second = await user.reflections_on(2, 255, 255, page=2, limit=5)
    assert (first.total, first.pages, first.has_next) == (7, 2, True)
    assert len(first.posts) == 5 and len(second.posts) == 2 and not second.has_next
    assert all(p.verse_labels == ["2:255"] for p in first.posts + second.posts)
    assert first.posts[0].author_name == "Amina"
    (request, _) = world.fake.api_requests("GET", "/v1/posts/feed")
    assert request.path == "/quran-reflect/v1/posts/feed"
    assert request.query["filter[references][0][chapterId]"] == "2"
    assert request.query["filter[references][0][from]"] == "255"


async def test_by_verse_lists_only_the_users_own_posts(
    world: QFWorld, user: UserSession
) -> None:
    world.fake.add_post("someone else's", [(2, 255, 255)])
    mine = world.fake.add_post("my own reflection", [(2, 254, 256)], author="sub-7")
    page = await user.my_posts_on_verse("2:255")
    assert [p.id for p in page.posts] == [mine]


async def test_a_deleted_or_unknown_post_is_not_found(
    world: QFWorld, user: UserSession
) -> None:
    post_id = world.fake.add_post(AYAT_AL_KURSI, [(2, 255, 255)])
    assert (await user.post(post_id)).ranges == ["2:255-2:255"]
    world.fake.remove_post(post_id)
    with pytest.raises(NotFound):
        await user.post(post_id)
    with pytest.raises(NotFound):
        await user.post(999_999)


async def test_a_note_attached_to_a_post_is_found_by_the_post(
    world: QFWorld, user: UserSession
) -> None:
    post_id = world.fake.add_post(AYAT_AL_KURSI, [(2, 255, 255)], first_name="Yusuf")
    post = await user.post(post_id)
    saved = await user.create_note(
        NoteInput(body="My thoughts on this reflection", ranges=post.ranges,
                  attached_entity=post.attached_entity())
    )
    await user.create_note(NoteInput(body="An unrelated note", ranges=["1:1-1:1"]))
    notes = await user.notes_on_post(post_id)
    assert [n.id for n in notes] == [saved.note.id]
    (entity,) = notes[0].attached_entities
    assert (entity.entity_id, entity.entity_type) == (str(post_id), "reflection")
    assert entity.entity_metadata == {"author": "Yusuf", "verseKeys": ["2:255"]}
