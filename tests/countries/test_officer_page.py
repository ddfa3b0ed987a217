"""The country page as an officer reads it: latest and key documents, topic figures, no noise."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.annotations.models import Annotation
from portal.countries.officer import is_noise
from portal.db import transaction
from portal.models import Document, DocumentCountry, Entity, Mention, User


def test_placeholders_are_noise_and_real_names_are_not() -> None:
    assert is_noise("SAMPLE DATA") and is_noise("TEST") and is_noise("X")
    assert (
        not is_noise("UNHCR")
        and not is_noise("Rapid Support Forces")
        and not is_noise("Sample Valley Militia")
    )


def test_country_page_for_officers(
    populated: dict[str, object],
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as session:
        docs = session.scalars(
            select(Document)
            .join(DocumentCountry, DocumentCountry.document_id == Document.id)
            .where(DocumentCountry.country_code == "SD")
            .order_by(Document.id)
        ).all()
        cited = docs[-1]
        cited_title = cited.title
        user = session.scalars(select(User).where(User.username == "researcher")).one()
        for _ in range(2):
            session.add(
                Annotation(
                    document_id=cited.id, user_id=user.id, version=1, start=0, end=5, exact="x", tags=[]
                )
            )
        noise = session.scalar(select(Entity).where(Entity.key == "org:sample-data"))
        if noise is None:
            noise = Entity(key="org:sample-data", kind="organisation", canonical_name="SAMPLE DATA")
            session.add(noise)
            session.flush()
        for doc in docs[:2]:
            session.add(
                Mention(
                    document_id=doc.id,
                    entity_id=noise.id,
                    start=0,
                    end=5,
                    text="SAMPLE DATA",
                    kind="organisation",
                )
            )
    html = logged_in("officer").get("/countries/SD").get_data(as_text=True)
    assert "Latest documents" in html and "Key documents" in html
    key = html[html.index('id="key-h"') : html.index('id="volume-h"')]
    assert cited_title in key and "2 annotations" in key
    figures = html[html.index('id="topics-h"') : html.index('id="actors-h"')]
    assert "<ul>" not in figures and 'class="grid topic-figures"' in figures  # numbers, not repeated lists
    assert "SAMPLE DATA" not in html
