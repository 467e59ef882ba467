"""Scrapy item pipeline: annotate, drop, or strip items whose page carries injected link spam.

Enable it in ``settings.py``::

    ITEM_PIPELINES = {"linkguard.integrations.scrapy.LinkGuardPipeline": 300}
    LINKGUARD_ACTION = "annotate"      # or "drop" / "strip"
    LINKGUARD_HTML_FIELD = "html"      # the item field holding the page (str or bytes)
    LINKGUARD_URL_FIELD = "url"

Settings: ``LINKGUARD_ENABLED`` (default ``True``), ``LINKGUARD_THRESHOLD`` (default:
the model's), ``LINKGUARD_ACTION``, ``LINKGUARD_HTML_FIELD``, ``LINKGUARD_URL_FIELD``,
``LINKGUARD_MAX_BYTES`` (pages are scored in the reactor thread, so cap their size),
``LINKGUARD_MODEL`` (a JSON model file; default: the bundled model).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from linkguard.integrations import missing_extra

try:
    from itemadapter import ItemAdapter
    from scrapy.exceptions import DropItem, NotConfigured
except ImportError as _exc:  # pragma: no cover - exercised by the missing-extra test
    raise missing_extra("scrapy", _exc) from _exc

from linkguard._batch import score_records
from linkguard._config import MAX_BYTES_DEFAULT, Config
from linkguard._records import ANNOTATIONS, annotation_values
from linkguard.integrations import ModelSpec, resolve_model

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

__all__ = ["ACTIONS", "ANNOTATION_FIELDS", "LinkGuardPipeline"]

log = logging.getLogger("linkguard.scrapy")

ACTIONS = ("annotate", "drop", "strip")
"""What to do with a spam item: add fields, raise ``DropItem``, or replace the page with its clean version."""

ANNOTATION_FIELDS: tuple[str, ...] = tuple(ANNOTATIONS.values())
"""Fields ``annotate`` writes (declare them on a ``scrapy.Item`` subclass; dict items need nothing)."""


class LinkGuardPipeline:
    """Score each item's page and annotate, drop or strip it.

    Items without a page (the HTML field missing or empty) pass through
    untouched.  A page that cannot be read is kept and logged, never dropped:
    a scorer failure should not cost you data.
    """

    def __init__(
        self,
        *,
        threshold: float | None = None,
        action: str = "annotate",
        html_field: str = "html",
        url_field: str = "url",
        max_bytes: int | None = None,
        model: ModelSpec = None,
    ) -> None:
        if action not in ACTIONS:
            raise ValueError(f"LINKGUARD_ACTION must be one of {ACTIONS}, not {action!r}")
        self.action = action
        self.html_field = html_field
        self.url_field = url_field
        self.config = Config(threshold=threshold, max_bytes=max_bytes or MAX_BYTES_DEFAULT)
        self.model = resolve_model(model)
        self._warned_fields: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LinkGuardPipeline:
        """Build from ``LINKGUARD_*`` settings; ``NotConfigured`` when ``LINKGUARD_ENABLED`` is false."""
        settings = crawler.settings
        if not settings.getbool("LINKGUARD_ENABLED", True):
            raise NotConfigured("linkguard is disabled (LINKGUARD_ENABLED=False)")
        threshold = settings.get("LINKGUARD_THRESHOLD")
        max_bytes = settings.getint("LINKGUARD_MAX_BYTES", 0)
        return cls(
            threshold=float(threshold) if threshold not in (None, "") else None,
            action=str(settings.get("LINKGUARD_ACTION", "annotate")).lower(),
            html_field=settings.get("LINKGUARD_HTML_FIELD", "html"),
            url_field=settings.get("LINKGUARD_URL_FIELD", "url"),
            max_bytes=max_bytes or None,
            model=settings.get("LINKGUARD_MODEL") or None,
        )

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        """Return the item (annotated or stripped) or raise ``DropItem``.

        ``spider`` is optional: Scrapy 2.14+ no longer passes it and warns about
        pipelines that require it; older Scrapy still passes it.
        """
        adapter = ItemAdapter(item)
        page = adapter.get(self.html_field)
        if page is None or (isinstance(page, (str, bytes)) and not page):
            return item
        url = adapter.get(self.url_field)
        record = {"id": None, "url": str(url) if url is not None else None, "html": page}
        rows = score_records(
            [record], page_field="html", config=self.config, model=self.model, strip=self.action == "strip"
        )
        row = next(rows)
        if row["status"] != "ok":
            log.warning("linkguard could not score %s: %s", url, row["error"])
            return item
        if self.action == "drop":
            if row["is_spam"]:
                reasons = ", ".join(row["reasons"]) or "spam segments"
                raise DropItem(f"linkguard: link spam in {url} ({reasons})")
            return item
        if self.action == "strip":
            if row["is_spam"]:
                adapter[self.html_field] = row["clean"]
            return item
        for field, value in annotation_values(row).items():
            self._set(adapter, field, value)
        return item

    def _set(self, adapter: ItemAdapter, field: str, value: Any) -> None:
        """Write a field; a fixed-schema item without it is logged once instead of failing every item."""
        try:
            adapter[field] = value
        except (KeyError, AttributeError, TypeError):
            if field not in self._warned_fields:
                self._warned_fields.add(field)
                log.warning(
                    "item type %s has no field %r; declare it to keep linkguard's annotation",
                    type(adapter.item).__name__,
                    field,
                )
