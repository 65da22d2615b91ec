"""Reading metric values: this process's own, as the in-process tests see them."""

import re

from prometheus_client import REGISTRY

Key = tuple[str, frozenset[tuple[str, str]]]


def value(name: str, **labels: str) -> float:
    """A sample's value now; 0 for a series that has no sample yet."""
    found = REGISTRY.get_sample_value(name, labels)
    return 0.0 if found is None else found


def _all_samples() -> dict[Key, float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in REGISTRY.collect()
        for s in family.samples
    }


class Snapshot:
    """Every sample's value when it was made, to measure changes from."""

    def __init__(self) -> None:
        self.values = _all_samples()

    def delta(self, name: str, **labels: str) -> float:
        return value(name, **labels) - self.values.get((name, frozenset(labels.items())), 0.0)


_SAMPLE = re.compile(r"^(\w+)(?:\{(.*)\})? (\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse_exposition(text: str) -> dict[Key, float]:
    """The samples of a Prometheus text exposition (as served at /metrics)."""
    samples: dict[Key, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        found = _SAMPLE.match(line)
        assert found, line
        labels = frozenset(_LABEL.findall(found.group(2) or ""))
        samples[(found.group(1), labels)] = float(found.group(3))
    return samples


def label_values(text: str) -> set[str]:
    """Every label value of our metrics (but histogram bucket bounds)."""
    return {
        v
        for (name, labels) in parse_exposition(text)
        if name.startswith("taskservice_")
        for k, v in labels
        if k != "le"
    }
