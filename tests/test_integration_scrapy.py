"""linkguard.integrations.scrapy against the installed Scrapy."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import pytest
from helpers import assert_missing_extra_hint

from linkguard import ModelError, default_model

pytest.importorskip("scrapy")

import scrapy
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.test import get_crawler

from linkguard.integrations import scrapy as lg_scrapy
from linkguard.integrations.scrapy import LinkGuardPipeline

CLEAN = "<p>A normal paragraph about the weather today, written for the town's newsletter.</p>"
PAGE = (
    "<html><body><article><h1>Town news</h1><p>The council met on Tuesday to discuss the new library.</p>"
    "<p>Opening hours will be extended in spring.</p></article>"
    '<div><a href="http://103.49.239.135/">slot gacor</a> <a href="http://103.59.94.85/">agen bola</a></div>'
    "</body></html>"
)
URL = "https://town.example/news"
PIPELINE = "linkguard.integrations.scrapy.LinkGuardPipeline"


def pipeline(**settings: Any) -> LinkGuardPipeline:
    """The pipeline as Scrapy builds it: from a real Crawler's settings."""
    crawler = get_crawler(scrapy.Spider, settings_dict=settings)
    return LinkGuardPipeline.from_crawler(crawler)


def trained_model_or_skip() -> None:
    """Verdict tests need the trained model; the placeholder scores every segment 0.5."""
    try:
        model = default_model()
    except ModelError as exc:
        pytest.skip(f"bundled model does not load: {exc}")
    if model.metadata.get("note") == "placeholder":
        pytest.skip("bundled model is the placeholder; verdicts need the trained model")


class PageItem(scrapy.Item):
    url = scrapy.Field()
    html = scrapy.Field()
    linkguard_is_spam = scrapy.Field()
    linkguard_score = scrapy.Field()
    linkguard_reasons = scrapy.Field()
    linkguard_spam_links = scrapy.Field()


class BareItem(scrapy.Item):
    url = scrapy.Field()
    html = scrapy.Field()


@dataclasses.dataclass
class PageRecord:
    url: str
    body: bytes
    linkguard_is_spam: bool | None = None
    linkguard_score: float | None = None
    linkguard_reasons: list[str] | None = None
    linkguard_spam_links: list[str] | None = None


# ------------------------------------------------------------ packaging and settings


def test_missing_scrapy_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_missing_extra_hint(monkeypatch, "scrapy", "scrapy")


def test_defaults_from_settings() -> None:
    pipe = pipeline()
    assert (pipe.action, pipe.html_field, pipe.url_field) == ("annotate", "html", "url")
    assert pipe.config.threshold is None


def test_settings_are_read() -> None:
    pipe = pipeline(
        LINKGUARD_THRESHOLD="0.7",
        LINKGUARD_ACTION="DROP",
        LINKGUARD_HTML_FIELD="body",
        LINKGUARD_URL_FIELD="link",
        LINKGUARD_MAX_BYTES=1000,
    )
    assert pipe.config.threshold == 0.7
    assert pipe.config.max_bytes == 1000
    assert (pipe.action, pipe.html_field, pipe.url_field) == ("drop", "body", "link")


@pytest.mark.parametrize("value", [False, "False", "0"])
def test_disabled_raises_not_configured(value: object) -> None:
    with pytest.raises(NotConfigured):
        pipeline(LINKGUARD_ENABLED=value)


def test_unknown_action_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="LINKGUARD_ACTION"):
        pipeline(LINKGUARD_ACTION="quarantine")


def test_scrapy_loads_it_without_deprecation_warnings(spam_model: str) -> None:
    """ItemPipelineManager warns about process_item(item, spider) with spider required; ours is optional."""
    crawler = get_crawler(scrapy.Spider, {"ITEM_PIPELINES": {PIPELINE: 300}, "LINKGUARD_MODEL": spam_model})
    manager = ItemPipelineManager.from_crawler(crawler)
    assert [type(mw) for mw in manager.middlewares] == [LinkGuardPipeline]
    item = asyncio.run(manager.process_item_async({"url": URL, "html": PAGE}))
    assert item["linkguard_is_spam"] is True


# ------------------------------------------------------------ actions


def test_annotate_with_and_without_spider(spam_model: str) -> None:
    pipe = pipeline(LINKGUARD_MODEL=spam_model)
    spider = scrapy.Spider(name="t")
    for out in (
        pipe.process_item({"url": URL, "html": PAGE}),
        pipe.process_item({"url": URL, "html": PAGE}, spider),
    ):
        assert out["linkguard_is_spam"] is True
        assert 0.0 <= out["linkguard_score"] <= 1.0
        assert isinstance(out["linkguard_reasons"], list)
        assert "http://103.49.239.135/" in out["linkguard_spam_links"]
        assert out["html"] == PAGE


def test_annotate_clean_page(clean_model: str) -> None:
    out = pipeline(LINKGUARD_MODEL=clean_model).process_item({"url": URL, "html": CLEAN.encode()})
    assert out["linkguard_is_spam"] is False
    assert out["linkguard_spam_links"] == [] and out["linkguard_reasons"] == []


def test_annotate_scrapy_item_and_dataclass(spam_model: str) -> None:
    pipe = pipeline(LINKGUARD_MODEL=spam_model, LINKGUARD_HTML_FIELD="body")
    record = pipe.process_item(PageRecord(url=URL, body=PAGE.encode()))
    assert record.linkguard_is_spam is True and record.linkguard_spam_links
    pipe = pipeline(LINKGUARD_MODEL=spam_model)
    item = pipe.process_item(PageItem(url=URL, html=PAGE))
    assert item["linkguard_is_spam"] is True


def test_annotate_item_without_declared_fields_logs_once(spam_model: str, caplog: pytest.LogCaptureFixture) -> None:
    pipe = pipeline(LINKGUARD_MODEL=spam_model)
    with caplog.at_level(logging.WARNING, logger="linkguard.scrapy"):
        for _ in range(3):
            item = pipe.process_item(BareItem(url=URL, html=PAGE))
            assert dict(item) == {"url": URL, "html": PAGE}
    warned = [r for r in caplog.records if "linkguard_is_spam" in r.getMessage()]
    assert len(warned) == 1


def test_drop_raises_drop_item_only_for_spam(spam_model: str, clean_model: str) -> None:
    with pytest.raises(DropItem, match="link spam"):
        pipeline(LINKGUARD_MODEL=spam_model, LINKGUARD_ACTION="drop").process_item({"url": URL, "html": PAGE})
    kept = pipeline(LINKGUARD_MODEL=clean_model, LINKGUARD_ACTION="drop").process_item({"url": URL, "html": PAGE})
    assert kept == {"url": URL, "html": PAGE}  # drop mode leaves kept items as they were


def test_strip_replaces_the_page_only_when_spam(spam_model: str, clean_model: str) -> None:
    out = pipeline(LINKGUARD_MODEL=spam_model, LINKGUARD_ACTION="strip").process_item({"url": URL, "html": PAGE})
    assert "103.49.239.135" not in out["html"]
    assert set(out) == {"url", "html"}
    raw = PAGE.encode()
    kept = pipeline(LINKGUARD_MODEL=clean_model, LINKGUARD_ACTION="strip").process_item({"url": URL, "html": raw})
    assert kept["html"] is raw


def test_items_without_a_page_pass_through(spam_model: str) -> None:
    pipe = pipeline(LINKGUARD_MODEL=spam_model, LINKGUARD_ACTION="drop")
    for item in ({"url": URL}, {"url": URL, "html": ""}, {"url": URL, "html": None}):
        assert pipe.process_item(dict(item)) == item


def test_unscorable_page_is_kept_and_logged(spam_model: str, caplog: pytest.LogCaptureFixture) -> None:
    pipe = pipeline(LINKGUARD_MODEL=spam_model, LINKGUARD_ACTION="drop")
    with caplog.at_level(logging.WARNING, logger="linkguard.scrapy"):
        out = pipe.process_item({"url": URL, "html": 12345})
    assert out == {"url": URL, "html": 12345}
    assert "could not score" in caplog.text


def test_module_exports() -> None:
    assert lg_scrapy.ACTIONS == ("annotate", "drop", "strip")
    assert set(lg_scrapy.ANNOTATION_FIELDS) == {
        "linkguard_is_spam",
        "linkguard_score",
        "linkguard_reasons",
        "linkguard_spam_links",
        "linkguard_injected_links",
        "linkguard_page_label",
        "linkguard_page_score",
        "linkguard_page_reasons",
    }


# ------------------------------------------------------------ verdicts (need the trained model)


def test_trained_model_drops_seed_spam_keeps_clean(seed_page: str) -> None:
    trained_model_or_skip()
    pipe = pipeline(LINKGUARD_ACTION="drop")
    with pytest.raises(DropItem):
        pipe.process_item({"url": "https://www.afintl.com/news/", "html": seed_page})
    assert pipe.process_item({"url": URL, "html": CLEAN})["html"] == CLEAN


def test_trained_model_strips_seed_spam(seed_page: str) -> None:
    trained_model_or_skip()
    out = pipeline(LINKGUARD_ACTION="strip").process_item({"url": "https://www.afintl.com/news/", "html": seed_page})
    assert "103.49.239.135" not in out["html"]
    assert "Pakistan has approached Tajikistan" in out["html"]
