"""The sites registry: which portals to crawl, how politely, and how often.

A YAML file (example in docs/operations.md)::

    defaults:                      # optional; every site inherits these
      schedule: daily
      politeness: {delay: 1.0}
    sites:
      - name: helan                # collection name
        seeds: [http://www.helan.gov.cn/xxgk/]
        region_code: "640122"      # optional, 6 digits
        schedule: weekly           # hourly | daily | weekly | monthly | a cron expression
        scope: {extra_hosts: [], include: [], exclude: []}
        politeness: {delay: 2, concurrency: 1, autothrottle: true, robots: true, max_pages: 0}
        settings: {DOWNLOAD_TIMEOUT: 90}   # any Scrapy/xxgk setting

Validation walks the YAML node tree rather than the loaded data, so every
error names the line it is about (``sites.yaml:12: sites[1].schedule: …``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from croniter import croniter

from crawler.collection import check_collection_name

SCHEDULES = {  # names → cron: a run is due once one of these instants has passed since the last run
    "hourly": "0 * * * *",
    "daily": "0 0 * * *",
    "weekly": "0 0 * * 1",
    "monthly": "0 0 1 * *",
}
POLITENESS = {  # sites.yaml key → (Scrapy setting, type)
    "delay": ("DOWNLOAD_DELAY", float),
    "concurrency": ("CONCURRENT_REQUESTS_PER_DOMAIN", int),
    "autothrottle": ("AUTOTHROTTLE_ENABLED", bool),
    "robots": ("ROBOTSTXT_OBEY", bool),
    "max_pages": ("CLOSESPIDER_PAGECOUNT", int),
    "timeout": ("DOWNLOAD_TIMEOUT", float),
}
SCOPE = {"extra_hosts": "XXGK_EXTRA_HOSTS", "include": "XXGK_INCLUDE", "exclude": "XXGK_EXCLUDE"}
SITE_KEYS = {
    "name",
    "seeds",
    "region_code",
    "schedule",
    "timezone",
    "scope",
    "politeness",
    "settings",
    "enabled",
}
DEFAULT_KEYS = SITE_KEYS - {"name", "seeds", "region_code"}
_SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class SitesError(ValueError):
    """The sites file is invalid; ``errors`` holds one line-numbered message per problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class Site:
    name: str
    seeds: list[str]
    line: int
    region_code: str | None = None
    schedule: str = "daily"
    timezone: str = "UTC"
    settings: dict[str, Any] = field(default_factory=dict)  # from scope, politeness and settings
    enabled: bool = True

    @property
    def cron(self) -> str:
        return SCHEDULES.get(self.schedule, self.schedule)

    def due(self, last_started: datetime | None, now: datetime | None = None) -> bool:
        """Due if it never completed a run, or a scheduled instant has passed since the last one began."""
        if last_started is None:
            return True
        now = now or datetime.now(UTC)
        zone = ZoneInfo(self.timezone)
        following = croniter(self.cron, last_started.astimezone(zone)).get_next(datetime)
        return following <= now.astimezone(zone)


class _Checker:
    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[str] = []

    def error(self, node: yaml.Node, where: str, message: str) -> None:
        self.errors.append(f"{self.filename}:{node.start_mark.line + 1}: {where}: {message}")

    def mapping(self, node: yaml.Node, where: str) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, where, "expected a mapping (key: value lines)")
            return None
        out = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            if name in out:
                self.error(key, where, f"duplicate key {name!r}")
            out[name] = (key, value)
        return out

    def scalar(self, node: yaml.Node, where: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, where, "expected a single value")
            return None
        return yaml.safe_load(yaml.serialize(node))

    def string_list(self, node: yaml.Node, where: str) -> list[str]:
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node, where)
            return [str(value)] if value is not None else []
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, where, "expected a list")
            return []
        out = []
        for i, item in enumerate(node.value):
            value = self.scalar(item, f"{where}[{i}]")
            if value is not None:
                out.append(str(value))
        return out

    def unknown(self, keys: dict, allowed: set[str], where: str) -> None:
        for name, (key, _) in keys.items():
            if name not in allowed:
                self.error(
                    key, where, f"unknown key {name!r} (expected one of: {', '.join(sorted(allowed))})"
                )

    def options(self, keys: dict, where: str) -> dict[str, Any]:
        """schedule, timezone, scope, politeness, settings, enabled → Site fields and settings."""
        out: dict[str, Any] = {"settings": {}}
        if "schedule" in keys:
            node = keys["schedule"][1]
            value = self.scalar(node, f"{where}.schedule")
            if value is not None:
                value = str(value)
                if value not in SCHEDULES and not croniter.is_valid(value):
                    self.error(
                        node,
                        f"{where}.schedule",
                        f"{value!r} is neither {', '.join(SCHEDULES)} nor a valid cron expression",
                    )
                else:
                    out["schedule"] = value
        if "timezone" in keys:
            node = keys["timezone"][1]
            value = str(self.scalar(node, f"{where}.timezone"))
            try:
                ZoneInfo(value)
                out["timezone"] = value
            except (ZoneInfoNotFoundError, ValueError):
                self.error(node, f"{where}.timezone", f"unknown time zone {value!r} (e.g. Asia/Shanghai)")
        if "enabled" in keys:
            node = keys["enabled"][1]
            value = self.scalar(node, f"{where}.enabled")
            if not isinstance(value, bool):
                self.error(node, f"{where}.enabled", "expected true or false")
            else:
                out["enabled"] = value
        if "scope" in keys:
            scope = self.mapping(keys["scope"][1], f"{where}.scope") or {}
            self.unknown(scope, set(SCOPE), f"{where}.scope")
            for name, (_, node) in scope.items():
                if name in SCOPE:
                    out["settings"][SCOPE[name]] = self.string_list(node, f"{where}.scope.{name}")
        if "politeness" in keys:
            polite = self.mapping(keys["politeness"][1], f"{where}.politeness") or {}
            self.unknown(polite, set(POLITENESS), f"{where}.politeness")
            for name, (_, node) in polite.items():
                if name not in POLITENESS:
                    continue
                setting, kind = POLITENESS[name]
                value = self.scalar(node, f"{where}.politeness.{name}")
                ok = (
                    isinstance(value, bool)
                    if kind is bool
                    else (
                        isinstance(value, int | float)
                        and not isinstance(value, bool)
                        and value >= 0
                        and (kind is float or float(value).is_integer())
                    )
                )
                if not ok:
                    wanted = (
                        "true or false"
                        if kind is bool
                        else f"a non-negative {'integer' if kind is int else 'number'}"
                    )
                    self.error(node, f"{where}.politeness.{name}", f"expected {wanted}, got {value!r}")
                else:
                    out["settings"][setting] = kind(value)
        if "settings" in keys:
            extra = self.mapping(keys["settings"][1], f"{where}.settings") or {}
            for name, (key, node) in extra.items():
                if not _SETTING_NAME.match(name):
                    self.error(key, f"{where}.settings", f"{name!r} is not a setting name (UPPER_CASE)")
                    continue
                out["settings"][name] = yaml.safe_load(yaml.serialize(node))
        return out

    def site(self, node: yaml.Node, where: str, defaults: dict[str, Any]) -> Site | None:
        keys = self.mapping(node, where)
        if keys is None:
            return None
        self.unknown(keys, SITE_KEYS, where)
        before = len(self.errors)
        name = None
        if "name" not in keys:
            self.error(node, where, "missing 'name' (the collection name)")
        else:
            value = self.scalar(keys["name"][1], f"{where}.name")
            try:
                name = check_collection_name(str(value))
            except ValueError as exc:
                self.error(keys["name"][1], f"{where}.name", str(exc))
        seeds: list[str] = []
        if "seeds" not in keys:
            self.error(node, where, "missing 'seeds' (信息公开 root URLs)")
        else:
            seed_node = keys["seeds"][1]
            seeds = self.string_list(seed_node, f"{where}.seeds")
            items = seed_node.value if isinstance(seed_node, yaml.SequenceNode) else [seed_node]
            for i, (url, item) in enumerate(zip(seeds, items, strict=False)):
                if not re.match(r"^https?://[^/\s:]+(:\d+)?(/\S*)?$", url):
                    self.error(item, f"{where}.seeds[{i}]", f"not an http(s) URL: {url!r}")
            if not seeds:
                self.error(seed_node, f"{where}.seeds", "give at least one seed URL")
        region = None
        if "region_code" in keys:
            region = str(self.scalar(keys["region_code"][1], f"{where}.region_code"))
            if not re.fullmatch(r"\d{6}", region):
                self.error(
                    keys["region_code"][1],
                    f"{where}.region_code",
                    f'expected 6 digits (行政区划代码), got {region!r}; quote it in YAML: "640122"',
                )
        options = self.options(keys, where)
        if len(self.errors) > before or name is None:
            return None
        settings = {**defaults.get("settings", {}), **options.pop("settings")}
        merged = {k: v for k, v in defaults.items() if k != "settings"} | options
        return Site(
            name=name,
            seeds=seeds,
            line=node.start_mark.line + 1,
            region_code=region,
            settings=settings,
            **merged,
        )


def load_sites(path: str | Path) -> list[Site]:
    """The sites of a registry file; SitesError listing every problem with its line."""
    path = Path(path)
    checker = _Checker(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SitesError([f"{path}: cannot read: {exc}"]) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise SitesError([f"{path}{line}: not valid YAML: {exc.problem or exc}"]) from exc
    if root is None:
        raise SitesError([f"{path}:1: the file is empty; expected a 'sites:' list"])
    top = checker.mapping(root, "top level")
    if top is None:
        raise SitesError(checker.errors)
    checker.unknown(top, {"defaults", "sites"}, "top level")
    defaults: dict[str, Any] = {"settings": {}}
    if "defaults" in top:
        keys = checker.mapping(top["defaults"][1], "defaults") or {}
        checker.unknown(keys, DEFAULT_KEYS, "defaults")
        defaults = checker.options(keys, "defaults")
    if "sites" not in top:
        checker.error(root, "top level", "missing 'sites:' (a list of portals)")
        raise SitesError(checker.errors)
    node = top["sites"][1]
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        checker.error(node, "sites", "expected a non-empty list of sites ('- name: …' entries)")
        raise SitesError(checker.errors)
    sites: list[Site] = []
    names: dict[str, int] = {}
    for i, item in enumerate(node.value):
        site = checker.site(item, f"sites[{i}]", defaults)
        if site is None:
            continue
        if site.name in names:
            checker.error(
                item, f"sites[{i}].name", f"{site.name!r} is already used on line {names[site.name]}"
            )
            continue
        names[site.name] = site.line
        sites.append(site)
    if checker.errors:
        raise SitesError(checker.errors)
    return sites
