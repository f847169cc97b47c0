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


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return value
