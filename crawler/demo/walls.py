"""Rate limits and WAF walls in front of a demo site, as county portals have them.

    site.gate = Walls(site, rate_limited=every_nth(5), challenged=every_nth(3), blocked={…})

* rate_limited paths answer 429 with Retry-After the first time, then normally;
* always_busy paths answer 503 with Retry-After every time (a crawler must give up);
* challenged paths answer a WAF challenge page (200, 创宇盾/安全狗/加速乐 style) the first
  time, then normally;
* blocked paths answer a 验证码 page every time.

Counts per target are kept so tests can bound retries.
"""

from __future__ import annotations

import threading
import zlib
from collections import Counter
from collections.abc import Callable, Collection

from crawler.demo.model import DemoSite, Resource

# Block pages as their WAFs send them (text trimmed): status, page.
CHALLENGES: tuple[tuple[int, str], ...] = (
    (
        403,
        "<html><head><title>创宇盾</title></head><body><p>您的访问被创宇盾拦截，如有疑问请联系网站管理员。</p>"
        "<p>知道创宇云防御 yunaq.com</p></body></html>",
    ),
    (
        200,
        "<html><head><title>网站防火墙</title></head><body><p>您的请求带有不合法参数，已被网站管理员设置拦截！</p>"
        "<p>网站防火墙拦截 - 安全狗 safedog.cn</p></body></html>",
    ),
    (
        521,
        "<html><body><script>document.cookie=('__jsl_clearance=1700000000.1|0|abc');"
        "location.href=location.pathname+location.search</script></body></html>",
    ),
)
CAPTCHA_PAGE = (
    "<html><head><title>安全验证</title></head><body><form><p>访问过于频繁，请输入验证码后继续访问：</p>"
    '<img src="/captcha.jpg"><input name="code"><button>提交</button></form></body></html>'
)


def _html(status: int, text: str, headers: dict[str, str] | None = None) -> Resource:
    return Resource(text.encode("utf-8"), "text/html; charset=utf-8", status=status, headers=headers)


def every_nth(paths: list[str], n: int, offset: int = 0) -> set[str]:
    return {p for i, p in enumerate(sorted(paths)) if i % n == offset}


class Walls:
    """A DemoSite.gate: answers some targets with 429/503/challenge/验证码 pages."""

    def __init__(
        self,
        *,
        rate_limited: Collection[str] = (),
        always_busy: Collection[str] = (),
        challenged: Collection[str] = (),
        blocked: Collection[str] = (),
        retry_after: str = "1",
    ) -> None:
        self.rate_limited, self.always_busy = set(rate_limited), set(always_busy)
        self.challenged, self.blocked = set(challenged), set(blocked)
        self.retry_after = retry_after
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, method: str, target: str) -> Resource | None:
        with self._lock:
            self.counts[target] += 1
            n = self.counts[target]
        if target in self.always_busy:
            return _html(
                503, "<html><body>Service Unavailable</body></html>", {"Retry-After": self.retry_after}
            )
        if target in self.rate_limited and n == 1:
            return _html(
                429, "<html><body>Too Many Requests</body></html>", {"Retry-After": self.retry_after}
            )
        if target in self.blocked:
            return _html(200, CAPTCHA_PAGE)
        if target in self.challenged and n == 1:
            status, page = CHALLENGES[zlib.crc32(target.encode()) % len(CHALLENGES)]
            return _html(status, page)
        return None


def wall(site: DemoSite, walls: Walls) -> Callable[[str, str], Resource | None]:
    """Put `walls` in front of `site` (returns the gate)."""
    site.gate = walls
    return walls
