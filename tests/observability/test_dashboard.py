"""The Grafana dashboard in deploy/: valid, and about metrics that exist, all of them."""

import json
import re
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ApiUser

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "taskservice.json"
_HISTOGRAM_SERIES = ("_bucket", "_count", "_sum")


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))
    return found


def exposed_names(text: str) -> set[str]:
    """Every series name /metrics can serve: each family's, and a histogram's parts."""
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            names.add(name)
            if kind == "histogram":
                names.update(name + suffix for suffix in _HISTOGRAM_SERIES)
    return names


class TestDashboard:
    async def test_every_query_names_metrics_that_exist_and_every_metric_is_shown(
        self, alice: ApiUser, client: httpx.AsyncClient
    ) -> None:
        await alice.client.post("/agent", json={"message": "add a task to buy milk"})
        dashboard = json.loads(DASHBOARD.read_text())
        exprs = [
            target["expr"] for panel in panels(dashboard) for target in panel.get("targets", [])
        ]
        exposed = exposed_names((await client.get("/metrics")).text)

        used = {name for expr in exprs for name in re.findall(r"\btaskservice_\w+", expr)}

        assert used - exposed == set()
        ours = {name for name in exposed if name.startswith("taskservice_")}
        families = {name for name in ours if not name.endswith(_HISTOGRAM_SERIES)}
        assert {
            family
            for family in families
            if not any(name == family or name.startswith(family + "_") for name in used)
        } == set()

    def test_it_is_a_dashboard_grafana_imports(self) -> None:
        dashboard = json.loads(DASHBOARD.read_text())

        assert (dashboard["title"], dashboard["uid"]) == ("taskservice", "taskservice")
        (variable,) = dashboard["templating"]["list"]
        assert (variable["name"], variable["type"], variable["query"]) == (
            "datasource",
            "datasource",
            "prometheus",
        )
        ids = [panel["id"] for panel in panels(dashboard)]
        assert len(ids) == len(set(ids))
        for panel in panels(dashboard):
            assert set(panel["gridPos"]) == {"h", "w", "x", "y"}
            assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
            if panel["type"] == "row":
                continue
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            refs = [target["refId"] for target in panel["targets"]]
            assert len(refs) == len(set(refs)) >= 1
