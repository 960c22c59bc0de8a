"""Where the picture puts each node: consortia on an inner ring (a centred one in the middle),
each organisation on an outer ring beside the consortia it sits on. Plain arithmetic on ids, so
the same data always draws the same picture, with or without JavaScript."""
from __future__ import annotations

import math
from dataclasses import dataclass

SIZE = 800  # the picture's viewBox is SIZE × SIZE, centred on (0, 0)
INNER, OUTER = 170, 270
LABEL_CHARS = 8  # a label longer than this is cut with …; the full name is the node's name


@dataclass(frozen=True)
class Spot:
    x: float
    y: float
    turn: float  # degrees a label along the radius is turned by, kept upright
    anchor: str  # the label's text-anchor: start (after the node), end (before it) or middle (above it)


def _spot(angle: float, radius: float, outward: bool) -> Spot:
    x, y = radius * math.cos(angle), radius * math.sin(angle)
    degrees = math.degrees(angle) % 360
    upright = degrees <= 90 or degrees >= 270
    anchor = "start" if outward == upright else "end"
    return Spot(round(x, 1), round(y, 1), round(degrees if upright else degrees - 180, 1), anchor)


def place(consortium_ids: list[int], consortia_of: dict[int, list[int]], organisation_ids: list[int],
          centre: int | None = None) -> tuple[dict[int, Spot], dict[int, Spot]]:
    """Spots of consortia and of organisations (by id). Organisations go round the outer ring in
    the order of the mean angle of their consortia, so each lies near the consortia it sits on."""
    ring = [cid for cid in consortium_ids if cid != centre]
    angles = {cid: 2 * math.pi * i / len(ring) - math.pi / 2 for i, cid in enumerate(ring)}
    consortia = {cid: _spot(angle, INNER, outward=False) for cid, angle in angles.items()}
    if centre in consortium_ids:
        consortia[centre] = Spot(0.0, 0.0, 0.0, "middle")

    def mean_angle(oid: int) -> float:
        around = [angles[cid] for cid in consortia_of.get(oid, []) if cid in angles]
        if not around:
            return -math.pi / 2
        return math.atan2(sum(map(math.sin, around)), sum(map(math.cos, around))) % (2 * math.pi)

    ordered = sorted(organisation_ids, key=lambda oid: (mean_angle(oid), oid))
    count = max(len(ordered), 1)
    start = mean_angle(ordered[0]) if ordered else 0.0
    organisations = {
        oid: _spot(start + 2 * math.pi * i / count, OUTER, outward=True) for i, oid in enumerate(ordered)
    }
    return consortia, organisations


def label(name: str) -> str:
    """A node's printed label: the name, cut to LABEL_CHARS with …."""
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"
