"""Recovering cells whose boundaries were lost, and only when the arithmetic decides.

A table row read from text may carry fewer value tokens than the format has
columns: digits of adjacent cells ran together ("2410000025" = 24|1|0|0|0|0|25)
or blank cells vanished (PDF text drops empty cells). Every way of splitting
the digits and placing the missing blanks is a *candidate*; the format's own
relations (H1–H4) pick among them. A split is accepted only when the checks
leave exactly one; a cell on which the surviving candidates disagree is left
null and marked ambiguous. Printed values are never replaced.

Levels, tried from the most literal reading up:
  1 split only digits that ran into the label; no lost cells
  2 as 1, plus lost (blank) cells
  3 split any multi-digit token, plus lost cells
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pipelines.reports.rows import Token
from pipelines.reports.textnorm import parse_number

MAX_CANDIDATES = 20_000  # per row; beyond this a row stays ambiguous
MAX_SEARCH = 100_000  # joint assignments tried across rows
MAX_SOLUTIONS = 2_000


@dataclass(frozen=True)
class Part:
    token: int | None  # index into the row's tokens; None = a lost (blank) cell
    offset: int = 0  # where these digits start inside the token
    raw: str = ""


@dataclass(frozen=True)
class Candidate:
    parts: tuple[Part, ...]
    values: tuple
    cost: tuple[int, int] = (0, 0)  # (extra splits, lost cells)


@dataclass
class Slot:
    """One expected row of a table, as read."""

    key: str
    width: int
    tokens: list[Token] | None  # None: the row was not found
    kinds: tuple[str, ...] = ()  # per column: "count" | "signed" | "money"
    candidates: list[Candidate] = field(default_factory=list)
    level: int = 0

    @property
    def certain(self) -> bool:
        return self.tokens is None or len(self.tokens) >= self.width


@dataclass
class Resolved:
    values: list  # per column; None = missing or ambiguous
    parts: list[Part | None]
    recovered: bool = False  # the reading needed a split or a lost cell
    ambiguous: dict[int, list] = field(default_factory=dict)  # column → distinct candidate values
    found: bool = True
    note: str | None = None


def _value(raw: str) -> int | float | None:
    return parse_number(raw) if raw else 0


def exact(slot: Slot) -> Candidate:
    """The literal reading of a row with at least as many tokens as cells.

    Extra tokens are blank placeholders: merged label cells on the left (TSV), table padding
    on the right. Drop only blanks, preferring the rightmost window."""
    assert slot.tokens is not None
    n, toks = slot.width, slot.tokens
    offset = len(toks) - n
    for start in range(len(toks) - n, -1, -1):
        dropped = toks[:start] + toks[start + n :]
        if all(t.blank for t in dropped):
            offset = start
            break
    parts = tuple(Part(offset + i, 0, t.raw) for i, t in enumerate(toks[offset : offset + n]))
    return Candidate(parts, tuple(_value(p.raw) for p in parts))


def _splits(digits: str, k: int) -> Iterator[list[tuple[int, str]]]:
    """Ways to cut a digit string into k numbers without leading zeros."""
    if k == 1:
        if len(digits) == 1 or digits[0] != "0":
            yield [(0, digits)]
        return
    for cut in range(1, len(digits) - k + 2):
        head = digits[:cut]
        if len(head) > 1 and head[0] == "0":
            break
        for rest in _splits(digits[cut:], k - 1):
            yield [(0, head)] + [(o + cut, d) for o, d in rest]


def enumerate_candidates(tokens: list[Token], width: int, level: int) -> tuple[list[Candidate], bool]:
    """All readings of `tokens` as `width` cells at a level; (candidates, truncated)."""

    def splittable(t: Token) -> bool:
        if not t.digits_only or len(t.raw) < 2:
            return False
        return t.glued or level >= 3

    ranges = [range(1, len(t.raw) + 1) if splittable(t) else range(1, 2) for t in tokens]
    allow_gaps = level >= 2
    raw: list[Candidate] = []
    truncated = False
    # fewest lost cells first: when the cap cuts the enumeration short, what is left out is the
    # long tail of readings with many lost cells, not the reading that uses every digit
    for ks in sorted(
        itertools.product(*ranges), key=lambda ks: width - sum(ks) if sum(ks) <= width else width
    ):
        m = sum(ks)
        if m > width or (m < width and not allow_gaps):
            continue
        per_token = [
            list(_splits(t.raw, k)) if k > 1 else [[(0, t.raw)]] for t, k in zip(tokens, ks, strict=True)
        ]
        for choice in itertools.product(*per_token):
            parts = [Part(i, o, d) for i, pieces in enumerate(choice) for o, d in pieces]
            gaps = width - m
            # lost cells at the left first: the right-edge alignment a human would try first
            for where in itertools.combinations(range(width), gaps):
                slots: list[Part] = []
                it = iter(parts)
                for pos in range(width):
                    slots.append(Part(None) if pos in where else next(it))
                values = tuple(0 if p.token is None else _value(p.raw) for p in slots)
                raw.append(Candidate(tuple(slots), values, (m - len(tokens), gaps)))
                if len(raw) >= MAX_CANDIDATES:
                    truncated = True
                    break
            if truncated:
                break
        if truncated:
            break
    raw.sort(key=lambda c: c.cost)
    seen: set[tuple] = set()
    out = []
    for c in raw:
        if c.values not in seen:
            seen.add(c.values)
            out.append(c)
    return out, truncated


# ---------------------------------------------------------------- solving

Check = Callable[[dict[str, tuple]], bool | None]  # None = not assessable (counts as holding)


Term = tuple[str, int]  # (slot key, column)


@dataclass
class Constraint:
    keys: frozenset[str]
    holds: Check
    soft: bool = False  # a preference (prose figures), used only to break ties
    # sum(lhs) + lhs_const = sum(rhs) + rhs_const, when the identity is linear: lets the search
    # discard partial readings that can no longer balance
    linear: tuple[list[Term], list[Term], float, float] | None = None


def _ok(constraint: Constraint, values: dict[str, tuple]) -> bool:
    return constraint.holds(values) is not False


def resolve(slots: list[Slot], constraints: list[Constraint]) -> tuple[dict[str, Resolved], list[str]]:
    """Read every slot; recover uncertain ones where the constraints decide."""
    warnings: list[str] = []
    fixed: dict[str, tuple] = {}
    out: dict[str, Resolved] = {}
    uncertain: list[Slot] = []
    for s in slots:
        if s.tokens is None:
            fixed[s.key] = (None,) * s.width
            out[s.key] = Resolved([None] * s.width, [None] * s.width, found=False)
        elif len(s.tokens) >= s.width:
            c = exact(s)
            used = {p.token for p in c.parts}
            if any(not t.blank for i, t in enumerate(s.tokens) if i not in used):
                warnings.append(f"extra_values:{s.key}")
            fixed[s.key] = c.values
            out[s.key] = Resolved(list(c.values), list(c.parts))
        else:
            uncertain.append(s)
    if not uncertain:
        return out, warnings

    hard = [c for c in constraints if not c.soft]
    soft = [c for c in constraints if c.soft]

    def local(slot: Slot, cands: list[Candidate]) -> list[Candidate]:
        checks = [c for c in hard if c.keys <= {slot.key} | fixed.keys() and slot.key in c.keys]
        return [cand for cand in cands if all(_ok(c, {**fixed, slot.key: cand.values}) for c in checks)]

    # each row starts at the lowest level where some reading fits its own row checks
    pools: dict[str, dict[int, list[Candidate]]] = {}
    for s in uncertain:
        pools[s.key] = {}
        for level in (1, 2, 3):
            cands, truncated = enumerate_candidates(s.tokens or [], s.width, level)
            if truncated:
                warnings.append(f"recovery_truncated:{s.key}")
            pools[s.key][level] = local(s, cands)
        s.level = next((lv for lv in (1, 2, 3) if pools[s.key][lv]), 3)

    solutions: list[dict[str, Candidate]] | None = None
    complete = True
    while True:
        pool = {
            s.key: _narrow(pools[s.key][s.level], s.key, fixed, hard, pools, uncertain) for s in uncertain
        }
        sols, capped = _search(uncertain, pool, fixed, hard)
        if capped:
            warnings.append("recovery_search_capped")
        if sols:
            solutions, complete = sols, not capped
            break
        if capped or all(s.level == 3 for s in uncertain):
            break
        for s in uncertain:
            s.level = min(3, s.level + 1)

    if solutions is None:
        # the table is inconsistent elsewhere (or too open): fall back to each row's own checks
        warnings.append("recovery_row_local")
        for s in uncertain:
            out[s.key] = _agree(s, pools[s.key][s.level], note="row_local")
        return out, warnings

    if len(solutions) > 1 and soft:
        preferred = [
            sol
            for sol in solutions
            if all(_ok(c, {**fixed, **{k: v.values for k, v in sol.items()}}) for c in soft)
        ]
        if preferred and complete:
            solutions = preferred
    for s in uncertain:
        if not complete:
            # not every reading was seen: only what all of the row's own readings agree on is certain
            out[s.key] = _agree(s, pool[s.key], note="search_capped")
            continue
        used: list[Candidate] = []
        for sol in solutions:
            if sol[s.key] not in used:
                used.append(sol[s.key])
        out[s.key] = _agree(s, used)
    return out, warnings


Bounds = dict[str, list[tuple[float, float] | None]]  # per slot, per column: (min, max) over its readings


def _pool_bounds(pools: dict[str, list[Candidate]]) -> Bounds:
    out: Bounds = {}
    for key, cands in pools.items():
        if not cands:
            continue
        cols = []
        for i in range(len(cands[0].values)):
            vs = [c.values[i] for c in cands]
            cols.append(None if any(v is None for v in vs) else (min(vs), max(vs)))
        out[key] = cols
    return out


def _feasible(c: Constraint, values: dict[str, tuple], bounds: Bounds) -> bool:
    """Can the identity still balance, given intervals for the rows not yet read?"""
    if c.linear is None:
        return True
    lhs, rhs, lc, rc = c.linear
    lo = [lc, rc]
    hi = [lc, rc]
    for side, terms in ((0, lhs), (1, rhs)):
        for key, col in terms:
            row = values.get(key)
            if row is not None:
                v = row[col]
                if v is None:
                    return True  # not assessable
                lo[side] += v
                hi[side] += v
                continue
            cols = bounds.get(key)
            b = cols[col] if cols is not None else None
            if b is None:
                return True
            lo[side] += b[0]
            hi[side] += b[1]
    return lo[0] <= hi[1] + 1e-9 and lo[1] <= hi[0] + 1e-9


def _narrow(
    cands: list[Candidate],
    key: str,
    fixed: dict[str, tuple],
    hard: list[Constraint],
    pools: dict[str, dict[int, list[Candidate]]],
    uncertain: list[Slot],
) -> list[Candidate]:
    """Drop readings of one row that no reading of the other rows could balance."""
    bounds = _pool_bounds({s.key: pools[s.key][s.level] for s in uncertain if s.key != key})
    mine = [c for c in hard if key in c.keys and c.linear is not None]
    return [cand for cand in cands if all(_feasible(c, {**fixed, key: cand.values}, bounds) for c in mine)]


def _search(
    uncertain: list[Slot], pools: dict[str, list[Candidate]], fixed: dict[str, tuple], hard: list[Constraint]
) -> tuple[list[dict[str, Candidate]], bool]:
    order = sorted(uncertain, key=lambda s: len(pools[s.key]))
    if any(not pools[s.key] for s in order):
        return [], False
    keys_done: list[set[str]] = []
    done: set[str] = set(fixed)
    for s in order:
        done = done | {s.key}
        keys_done.append(set(done))
    # constraints become checkable once all their rows are assigned; linear ones are checked
    # for feasibility as soon as any of their rows is
    due: list[list[Constraint]] = []
    seen: set[int] = set()
    for available in keys_done:
        now = [c for c in hard if id(c) not in seen and c.keys <= available]
        seen.update(id(c) for c in now)
        due.append(now)
    touching = [[c for c in hard if s.key in c.keys and c.linear is not None] for s in order]
    bounds = _pool_bounds(pools)  # assigned rows are looked up in `values` first
    solutions: list[dict[str, Candidate]] = []
    steps = 0
    capped = False
    values = dict(fixed)
    chosen: dict[str, Candidate] = {}

    def walk(i: int) -> None:
        nonlocal steps, capped
        if capped:
            return
        if i == len(order):
            if len(solutions) >= MAX_SOLUTIONS:
                capped = True
                return
            solutions.append(dict(chosen))
            return
        s = order[i]
        for cand in pools[s.key]:
            steps += 1
            if steps > MAX_SEARCH:
                capped = True
                return
            values[s.key] = cand.values
            chosen[s.key] = cand
            if all(_ok(c, values) for c in due[i]) and all(_feasible(c, values, bounds) for c in touching[i]):
                walk(i + 1)
        values.pop(s.key, None)
        chosen.pop(s.key, None)

    walk(0)
    return solutions, capped


def _agree(slot: Slot, used: list[Candidate], note: str | None = None) -> Resolved:
    if not used:
        return Resolved(
            [None] * slot.width,
            [None] * slot.width,
            recovered=False,
            ambiguous={i: [] for i in range(slot.width)},
            note=note or "no_consistent_reading",
        )
    values: list = []
    parts: list[Part | None] = []
    ambiguous: dict[int, list] = {}
    for i in range(slot.width):
        distinct = sorted({c.values[i] for c in used}, key=lambda v: (v is None, v))
        if len(distinct) == 1:
            values.append(distinct[0])
            parts.append(used[0].parts[i])
        else:
            values.append(None)
            parts.append(None)
            ambiguous[i] = distinct
    return Resolved(values, parts, recovered=True, ambiguous=ambiguous, note=note)
