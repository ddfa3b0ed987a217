"""New/updated/unchanged decisions and near-duplicate clusters, without any database."""

from __future__ import annotations

from collectors.dedupe import HAMMING_THRESHOLD, StoredVersion, decide, find_cluster, hamming, simhash
from collectors.records import Record, Snapshot

STORY = (
    "Aid convoys reached the fictional town of Brightwater on Tuesday after a three week closure of the "
    "only road, the sample relief network said. Trucks carried flour, medicine and water purification "
    "tablets for about twelve thousand people who had been cut off since heavy fighting began. Local "
    "officials said more convoys were planned if the crossing stays open through the weekend."
)
REWRITE = STORY.replace("on Tuesday", "on Tuesday morning").replace("said.", "said in a statement.")
OTHER = (
    "The invented parliament of Norland passed a law on Thursday that changes how asylum appeals are heard, "
    "moving them from regional courts to a single national tribunal. Lawyers in the sample story warned that "
    "the new deadlines were too short and that legal aid had not been increased to match the workload."
)


def test_decide_new_updated_unchanged() -> None:
    assert decide("abc", None) == "new"
    assert decide("abc", StoredVersion(content_sha256="abc", version=3)) == "unchanged"
    assert decide("abd", StoredVersion(content_sha256="abc", version=3)) == "updated"


def test_decide_uses_normalised_text_hash() -> None:
    from datetime import UTC, datetime

    snapshot = Snapshot(
        url="https://x.example/", content=b"", content_type="text/html", fetched_at=datetime.now(UTC)
    )
    first = Record(
        url="https://x.example/",
        link="https://x.example/",
        title="t",
        text="Hello   World\n",
        snapshot=snapshot,
    )
    second = Record(
        url="https://x.example/", link="https://x.example/", title="t", text="hello world", snapshot=snapshot
    )
    stored = StoredVersion(content_sha256=first.content_sha256, version=1)
    assert decide(second.content_sha256, stored) == "unchanged"


def test_simhash_near_duplicates_are_close() -> None:
    assert hamming(simhash(STORY), simhash(STORY)) == 0
    assert hamming(simhash(STORY), simhash(STORY.upper())) == 0
    assert hamming(simhash(STORY), simhash(REWRITE)) <= 12
    assert hamming(simhash(STORY), simhash(OTHER)) > 16


def test_simhash_is_64_bit_and_stable() -> None:
    value = simhash(STORY)
    assert 0 <= value < 2**64
    assert value == simhash(STORY)
    assert simhash("") == 0
    assert simhash("one") != 0


def test_find_cluster_picks_closest_within_threshold() -> None:
    h = simhash(STORY)
    near = h ^ 0b1  # one bit away
    nearer = h  # identical
    far = h ^ ((1 << (HAMMING_THRESHOLD + 1)) - 1)  # threshold + 1 bits away
    assert find_cluster(h, [(7, near), (3, nearer), (9, far)]) == 3
    assert find_cluster(h, [(9, far)]) is None
    assert find_cluster(h, []) is None


def test_find_cluster_ties_go_to_lowest_id() -> None:
    h = simhash(OTHER)
    assert find_cluster(h, [(12, h ^ 0b10), (5, h ^ 0b100)]) == 5


def test_find_cluster_ignores_empty_texts() -> None:
    assert find_cluster(0, [(1, 0)]) is None
    assert find_cluster(simhash(STORY), [(1, 0)]) is None
