"""Alerts as an Atom 1.0 feed (RFC 4287) that a feed reader can subscribe to.

One ``<entry>`` per alert, in rank order. Identifiers are stable: the feed's id is a name-based UUID URN
(RFC 4122 version 5) of the importer, and each entry's id a UUID URN of the alert's ``alert_id``
(importer/signal/material/partner/year[/measure]), so re-running the monitor on the same data yields the
same ids and a reader shows only new alerts. ``updated`` defaults to the time the store was built (the
data vintage), not the wall clock, so an unchanged store gives an unchanged feed.
"""

from __future__ import annotations

import math
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from typing import Any

from grondstof import __version__
from grondstof.result import Result

ATOM_NS = "http://www.w3.org/2005/Atom"
# Our own namespace for the UUIDs; fixed forever so ids never change between versions.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/grondstof/grondstof/monitor")


def entry_id(alert_id: str) -> str:
    """The Atom id of an alert: ``urn:uuid:`` + UUID5 of its ``alert_id``."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, 'alert:' + alert_id)}"


def feed_id(importer: str) -> str:
    """The Atom id of an importer's feed: ``urn:uuid:`` + UUID5 of the importer code."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, 'feed:' + importer)}"


def _timestamp(moment: datetime) -> str:
    """RFC 3339 date-time in UTC, e.g. ``2026-01-31T12:00:00Z`` (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _updated(result: Result, updated: datetime | None) -> datetime:
    if updated is not None:
        return updated
    built = result.meta.get("data_updated")
    if isinstance(built, str):
        try:
            return datetime.fromisoformat(built)
        except ValueError:
            pass
    return datetime.now(UTC)


def _is_share(key: str) -> bool:
    """Evidence keys holding fractions shown as percentages (shares, relative changes, share points)."""
    return "share" in key or key in ("change", "points", "min_fall", "min_rise", "min_points")


def _figure(value: Any, key: str = "") -> str:
    if _is_share(key) and isinstance(value, float) and not math.isnan(value):
        return f"{value * 100:.1f} %"
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value).lower()
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return "; ".join(f"{k} {_figure(v, str(k))}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_figure(v, key) for v in value)
    return str(value)


def summary(row: dict[str, Any]) -> str:
    """Plain-text summary of an alert: its title, the evidence figures one per line, severity and source."""
    lines = [row.get("title") or ""]
    for key, value in (row.get("evidence") or {}).items():
        if key == "severity":
            continue
        if key == "after" and isinstance(value, list):
            text = "; ".join(
                f"{v['year']}: {_figure(v['value'])} ({_figure(v['share'], 'share')})" for v in value
            )
        else:
            text = _figure(value, key)
        lines.append(f"{key.replace('_', ' ')}: {text}")
    lines.append(f"severity: {row.get('severity')} ({_figure((row.get('evidence') or {}).get('severity'))})")
    if row.get("source"):
        lines.append(f"source: {row['source']}")
    return "\n".join(lines)


def atom_feed(
    result: Result,
    *,
    feed_url: str | None = None,
    updated: datetime | None = None,
) -> str:
    """Serialise the alerts of :func:`grondstof.monitor.signals.watch` as an Atom 1.0 document.

    Parameters
    ----------
    result:
        The result of ``watch`` (rows with ``alert_id``, ``title``, ``evidence``, ``signal`` …).
    feed_url:
        Where the feed will be published; written as ``<link rel="self">`` when given.
    updated:
        The feed's and entries' ``updated`` time; default the store's build time (``meta.data_updated``).

    The feed has the required ``id``, ``title``, ``updated`` and ``author``; each entry ``id``, ``title``,
    ``updated``, a ``category`` naming the signal and a text ``summary`` with the evidence.
    """
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    importer = (result.meta.get("importer") or {}).get("code") or "unknown"
    lang = (result.meta.get("query") or {}).get("lang") or "en"
    stamp = _timestamp(_updated(result, updated))
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    sub(feed, "id", feed_id(importer))
    sub(feed, "title", f"grondstof — {result.title}")
    sub(feed, "subtitle", "Early-warning signals on critical raw materials, ranked by severity.")
    sub(feed, "updated", stamp)
    author = sub(feed, "author")
    sub(author, "name", "grondstof")
    sub(feed, "generator", "grondstof", version=__version__)
    if feed_url:
        sub(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    sources = "; ".join(f"{s.get('title')}: {s.get('licence')}" for s in result.meta.get("sources", []))
    if sources:
        sub(feed, "rights", f"Data sources and licences: {sources}")
    for row in result.rows:
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(row["alert_id"]))
        sub(entry, "title", row.get("title") or row["alert_id"])
        sub(entry, "updated", stamp)
        sub(entry, "category", term=row["signal"], label=row["signal"].replace("_", " "))
        if row.get("material"):
            sub(entry, "category", term=f"material:{row['material']}", label=row.get("material_name") or "")
        sub(entry, "summary", summary(row), type="text")
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


__all__ = ["ATOM_NS", "atom_feed", "entry_id", "feed_id", "summary"]
