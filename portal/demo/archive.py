# ruff: noqa: E501  (a table of sentence patterns reads better unwrapped)
"""A larger invented archive for the offline demo: three months of sample reporting on ten countries.

The curated sample (``articles.json``) holds ten hand-written articles that the tests rely on. This
module adds, for ``coi demo load`` and ``make run``, about 170 more, put together deterministically
from sentence patterns written for the demo, real place and group names, and COI topics, so that a
first run shows facets, weekly charts, story clusters, briefing drafts and digests with something
in them. Every title starts with ``[Sample]``, every text with ``SAMPLE DATA, NOT REAL
INFORMATION.``, every source name with ``Sample:``; none of it describes a real event.
"""

from __future__ import annotations

import random
from functools import cache
from typing import Any

__all__ = ["archive_feeds"]

DAYS = 90
MARK = "SAMPLE DATA, NOT REAL INFORMATION."

#: country: (name for categories, places, groups or forces acting there, state forces)
COUNTRIES: dict[str, tuple[list[str], list[str], str]] = {
    "Syria": (
        ["Idlib", "Deir ez-Zor", "Daraa", "Aleppo"],
        ["Hayat Tahrir al-Sham", "the Islamic State"],
        "Syrian government forces",
    ),
    "Sudan": (
        ["El Fasher", "Khartoum", "Nyala", "Kassala"],
        ["the Rapid Support Forces"],
        "the Sudanese Armed Forces",
    ),
    "Eritrea": (["Asmara", "Keren", "Massawa"], [], "Eritrean security forces"),
    "Afghanistan": (
        ["Kandahar", "Herat", "Kunduz", "Jalalabad"],
        ["the Islamic State Khorasan Province"],
        "Taliban security forces",
    ),
    "Somalia": (
        ["Mogadishu", "Baidoa", "Kismayo", "Beledweyne"],
        ["al-Shabaab"],
        "Somali National Army troops",
    ),
    "Iraq": (
        ["Mosul", "Sinjar", "Kirkuk", "Basra"],
        ["the Popular Mobilization Forces"],
        "Iraqi security forces",
    ),
    "Mali": (
        ["Mopti", "Gao", "Timbuktu", "Menaka"],
        ["Jama'at Nusrat al-Islam wal-Muslimin"],
        "Malian armed forces",
    ),
    "Democratic Republic of the Congo": (
        ["Goma", "Bunia", "Beni", "Uvira"],
        ["the M23 rebels", "the Allied Democratic Forces"],
        "Congolese army soldiers",
    ),
    "Ethiopia": (["Gondar", "Bahir Dar", "Mekelle", "Dessie"], ["Fano militias"], "Ethiopian federal forces"),
    "Myanmar": (["Sittwe", "Lashio", "Myitkyina", "Mandalay"], ["the Arakan Army"], "Myanmar military units"),
}

#: topic label: sentences, each with {place}, {group}, {force}, {country}, {number}
TOPICS: dict[str, list[str]] = {
    "Detention": [
        "Former detainees said {force} held them for weeks in an unofficial detention site near {place} without access to a lawyer.",
        "Relatives of {number} men arrested in {place} said they had no news of them, and feared torture during interrogation.",
        "A monitoring group recorded {number} cases of arbitrary arrest in {place} over the month, many of them at checkpoints.",
    ],
    "Displacement": [
        "Some {number} families fled {place} after fighting between {force} and {group}, according to camp managers.",
        "Internally displaced people arriving from {place} told aid workers they left without identity documents.",
        "Shelters around {place} are full, and newly displaced families sleep in schools and mosques.",
    ],
    "Recruitment": [
        "Parents in {place} said {group} recruited boys as young as fifteen, promising wages and protection.",
        "Young men described round-ups in the markets of {place} for forced conscription into {force}.",
        "Deserters said their families in {place} were questioned and fined after they refused military service.",
    ],
    "Trafficking": [
        "Women who reached {place} described smugglers who took their passports and sold them on to employers.",
        "Police dismantled a human trafficking network that moved {number} people through {place} last month.",
        "Migrants held near {place} said smugglers demanded ransom from their families before letting them go on.",
    ],
    "Security": [
        "An attack claimed by {group} near {place} killed {number} people, local officials said.",
        "Clashes between {force} and {group} closed the main road to {place} for several days.",
        "Residents of {place} reported airstrikes on the outskirts of the town and a curfew after dark.",
    ],
    "Humanitarian": [
        "Prices of flour doubled in {place}, and aid agencies warned of a food crisis affecting {number} households.",
        "The only hospital in {place} works on generators, and doctors said medicines for chronic illness ran out.",
        "Aid convoys to {place} were stopped at checkpoints, leaving {number} people without deliveries for a month.",
    ],
    "Expression": [
        "A journalist from {place} was arrested after reporting on abuses by {force}, colleagues said.",
        "Activists in {place} said posts criticising the authorities led to summons and threats against relatives.",
        "Two bloggers from {place} were sentenced for insulting officials, a lawyer for one of them said.",
    ],
}

CLOSERS = [
    "The information could not be verified independently; this sample outlet will follow up.",
    "Officials did not answer requests for comment before publication of this sample report.",
    "A spokesperson for the local authorities rejected the accounts as exaggerated.",
    "Rights groups called for an independent investigation into the reports.",
]

TITLES = {
    "Detention": [
        "Families seek news of men detained in {place}",
        "Accounts of abuse in detention around {place}",
    ],
    "Displacement": [
        "Families leave {place} as fighting spreads",
        "Displaced people crowd into shelters near {place}",
    ],
    "Recruitment": [
        "Recruitment of young men reported in {place}",
        "Deserters' families in {place} face pressure",
    ],
    "Trafficking": [
        "Trafficking routes through {place} described by survivors",
        "Smugglers' ransom demands reported near {place}",
    ],
    "Security": ["Violence closes roads around {place}", "Attack near {place} kills civilians"],
    "Humanitarian": ["Food prices and shortages hit {place}", "Aid fails to reach {place}"],
    "Expression": ["Critics silenced in {place}", "Journalists under pressure in {place}"],
}

FEEDS: list[dict[str, Any]] = [
    {
        "slug": "east-africa-desk",
        "format": "rss",
        "name": "Sample: East Africa Desk (sample data)",
        "publisher": "East Africa Desk (fictional sample publisher)",
        "publisher_type": "media",
        "countries": ["Sudan", "Eritrea", "Somalia", "Ethiopia"],
    },
    {
        "slug": "levant-watch",
        "format": "atom",
        "name": "Sample: Levant Watch (sample data)",
        "publisher": "Levant Watch (fictional sample NGO)",
        "publisher_type": "ngo",
        "countries": ["Syria", "Iraq"],
    },
    {
        "slug": "sahel-observer",
        "format": "rss",
        "name": "Sample: Sahel Observer (sample data)",
        "publisher": "Sahel Observer (fictional sample publisher)",
        "publisher_type": "media",
        "countries": ["Mali", "Democratic Republic of the Congo"],
    },
    {
        "slug": "asia-rights",
        "format": "rss",
        "name": "Sample: Asia Rights Monitor (sample data)",
        "publisher": "Asia Rights Monitor (fictional sample NGO)",
        "publisher_type": "ngo",
        "countries": ["Afghanistan", "Myanmar"],
    },
    {
        "slug": "relief-bulletin",
        "format": "atom",
        "name": "Sample: Relief Bulletin (sample data)",
        "publisher": "Relief Bulletin (fictional sample agency)",
        "publisher_type": "un_agency",
        "countries": list(COUNTRIES),
    },
]


def _article(rng: random.Random, country: str, topic: str, days_ago: int, n: int) -> dict[str, Any]:
    places, groups, force = COUNTRIES[country]
    place = rng.choice(places)
    values = {
        "place": place,
        "group": rng.choice(groups) if groups else force,
        "force": force,
        "country": country,
        "number": rng.choice(["twelve", "thirty", "about 200", "more than 400", "1,500", "several thousand"]),
    }
    sentences = [s.format(**values) for s in rng.sample(TOPICS[topic], 3)]
    other = rng.choice([t for t in TOPICS if t != topic])
    sentences.append(rng.choice(TOPICS[other]).format(**values))
    paragraphs = [
        f"{MARK} {sentences[0]} The accounts were collected in {country} by this fictional outlet.",
        " ".join(sentences[1:3]),
        f"{sentences[3]} {rng.choice(CLOSERS)}",
        f"For context, this sample outlet has followed {country} since the start of the year, and earlier "
        f"sample reports described {topic.lower()} in other districts as well.",
    ]
    title = rng.choice(TITLES[topic]).format(**values)
    return {
        "slug": f"{topic.lower()}-{place.lower().replace(' ', '-')}-{n}",
        "days_ago": days_ago,
        "title": f"[Sample] {title}",
        "categories": [country, topic],
        "paragraphs": paragraphs,
    }


@cache
def archive_feeds() -> list[dict[str, Any]]:
    """The archive's feeds, with their items, in the shape of ``articles.json``."""
    rng = random.Random(20261204)
    feeds = [
        {
            **feed,
            "reliability": "Sample source for demonstration; not a real outlet.",
            "full_content": True,
            "items": [],
        }
        for feed in FEEDS
    ]
    n = 0
    for feed in feeds[:-1]:
        for country in feed["countries"]:
            for _ in range(36 // len(feed["countries"]) * 1 + 4):
                topic = rng.choice(list(TOPICS))
                feed["items"].append(_article(rng, country, topic, rng.randrange(DAYS), n))
                n += 1
    bulletin = feeds[-1]
    for country in COUNTRIES:
        for _ in range(3):
            bulletin["items"].append(_article(rng, country, rng.choice(list(TOPICS)), rng.randrange(DAYS), n))
            n += 1
    # stories told by two sources: the bulletin retells some items of the other feeds a day later
    for feed in feeds[:-1]:
        for item in feed["items"][:3]:
            retold = dict(item)
            retold["slug"] = f"{item['slug']}-retold"
            retold["days_ago"] = max(0, int(item["days_ago"]) - 1)
            retold["title"] = item["title"].replace("[Sample] ", "[Sample] Update: ")
            retold["paragraphs"] = [
                *item["paragraphs"],
                "This sample bulletin retells the report of another sample outlet.",
            ]
            bulletin["items"].append(retold)
    for feed in feeds:
        feed["items"].sort(key=lambda item: int(item["days_ago"]))
        del feed["countries"]
    return feeds
