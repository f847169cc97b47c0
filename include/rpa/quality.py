"""Dataset-level checks with Great Expectations (ephemeral context), Data Docs
HTML written to the run folder.

Import this module inside tasks only: ``great_expectations`` costs seconds to
import. Results carry no cell values: Data Docs are built with
``partial_unexpected_count=0`` so no NIR or name lands in the HTML.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
logging.getLogger("great_expectations").setLevel(logging.WARNING)

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
from great_expectations.data_context.types.base import (  # noqa: E402
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

DOCS_FOLDER = "data_docs"
# The received rows are checked as one dataset with two flags, so GX validates (and builds
# Data Docs) once per run: 1 for a quarantined row, 1 for a row kept; expectations on the
# kept rows use the ``KEPT`` row condition.
QUARANTINE_FLAG = "_quarantaine"
KEPT_FLAG = "_gardee"
KEPT = {"row_condition": f"{KEPT_FLAG}==1", "condition_parser": "pandas"}
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}


@dataclass(frozen=True)
class Expectation:
    """A GX expectation and the French sentence an agent reads for it."""

    description: str
    build: Callable[[Any], Any]  # gxe module -> gx Expectation


@dataclass(frozen=True)
class DatasetCheck:
    name: str
    frame: pd.DataFrame
    expectations: Sequence[Expectation]


def run_checks(checks: Sequence[DatasetCheck], run_dir: Path) -> list[dict[str, Any]]:
    """Validate every dataset, build Data Docs in ``run_dir/data_docs``.

    Returns one dict per expectation: ``jeu``, ``attente``, ``succes``, ``observe``.
    """
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.add_data_docs_site(
        site_name="run",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(run_dir / DOCS_FOLDER),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    source = context.data_sources.add_pandas("rpa")
    results: list[dict[str, Any]] = []
    for check in checks:
        batch = source.add_dataframe_asset(check.name).add_batch_definition_whole_dataframe("all")
        suite = context.suites.add(gx.ExpectationSuite(name=check.name))
        descriptions = []
        for expectation in check.expectations:
            suite.add_expectation(expectation.build(gxe))
            descriptions.append(expectation.description)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=check.name, data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{check.name}_checkpoint",
                validation_definitions=[definition],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["run"])],
                result_format=RESULT_FORMAT,
            )
        )
        outcome = checkpoint.run(batch_parameters={"dataframe": check.frame})
        (run_result,) = outcome.run_results.values()
        for description, result in zip(descriptions, run_result.results, strict=True):
            observed = result.result.get("observed_value", result.result.get("unexpected_count"))
            results.append(
                {
                    "jeu": check.name,
                    "attente": description,
                    "succes": bool(result.success),
                    "observe": _plain(observed),
                }
            )
    return results


def check_received(
    frame: pd.DataFrame,
    columns: Sequence[str],
    quarantined_index: Any,
    expectations: Sequence[Expectation],
    run_dir: Path,
    name: str = "lignes_recues",
) -> list[dict[str, Any]]:
    """Validate every received row (``columns``, normalised) with the quarantine flags."""
    dataset = frame[list(columns)].copy()
    quarantined = frame.index.isin(quarantined_index)
    dataset[QUARANTINE_FLAG] = quarantined.astype(int)
    dataset[KEPT_FLAG] = (~quarantined).astype(int)
    return run_checks([DatasetCheck(name, dataset, expectations)], run_dir)


def received_expectations(ceiling: float, key: str, key_label: str) -> list[Expectation]:
    """What every process checks of a received file: rows came, the share quarantined is at
    most ``ceiling``, the business key is unique among the kept rows."""
    return [
        Expectation("Au moins une ligne reçue", lambda gxe: gxe.ExpectTableRowCountToBeBetween(min_value=1)),
        Expectation(
            f"Part des lignes en quarantaine au plus {ceiling:.0%}".replace("%", " %"),
            lambda gxe: gxe.ExpectColumnMeanToBeBetween(column=QUARANTINE_FLAG, min_value=0, max_value=ceiling),
        ),
        Expectation(
            f"{key_label} unique parmi les lignes gardées",
            lambda gxe: gxe.ExpectColumnValuesToBeUnique(column=key, **KEPT),
        ),
    ]


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return value
