"""PlanKG's configuration: every ``PLANKG_*`` setting declared once (``config.settings.SETTINGS``)
and one ``Config`` object built from the environment and explicit overrides.

>>> cfg = Config.from_env({"PLANKG_QUERY_TIMEOUT": "3"}, data_dir="/tmp/plankg")
>>> cfg.query_timeout, str(cfg.data_dir)
(3.0, '/tmp/plankg')
>>> value("PLANKG_MAX_ROWS", {})
10000

This package is the bottom layer: it imports nothing of PlanKG.
"""

from __future__ import annotations

from .settings import SETTINGS, Config, Setting, SettingError, by_name, markdown_table, value

__all__ = ["SETTINGS", "Config", "Setting", "SettingError", "by_name", "markdown_table", "value"]
