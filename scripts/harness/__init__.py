"""One harness for the tests, the benchmarks and the scripts (``scripts/*_stack.py``).

- :mod:`scripts.harness.processes`: a free port, children in process groups of their own that
  stop cleanly (``start_group``, ``stop_group``, ``stop_groups``), ``wait_until``, the sweep of a
  run's leftovers by an environment marker, a chromedriver server;
- :mod:`scripts.harness.sandbox_apps`: the sandbox apps as a process (``SandboxProcess``) or in a
  thread (``LiveApp``, ``LiveApps``);
- :mod:`scripts.harness.app_client`: a logged-in HTTP client of a sandbox app (``AppClient``,
  ``read_export``);
- :mod:`scripts.harness.airflow_api`: Airflow's REST API (``AirflowApi``: token, requests,
  waiting, triggering, human-in-the-loop requests), ``admin_password``, ``setup_home``.

Nothing here imports the pipeline (``dags``, ``include``); the sandbox only where an app is served
in this process.
"""
