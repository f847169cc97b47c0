# syntax=docker/dockerfile:1
# The project's image for docker-compose.yaml: every Airflow service (API
# server, scheduler, DAG processor, triggerer, Celery workers, init job) and the
# sandbox stand-in apps. Browsers are not in it: they run on the Selenium Grid.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/opt/rpa \
    AIRFLOW_HOME=/opt/airflow \
    RPA_DATA_DIR=/opt/rpa/data \
    SE_OFFLINE=true

# An unprivileged user; the named volumes (data, logs, auth) take the ownership
# of the folders created below when Docker first populates them.
ARG RPA_UID=50000
RUN groupadd --gid "${RPA_UID}" rpa \
    && useradd --uid "${RPA_UID}" --gid rpa --home-dir /opt/airflow --create-home --shell /bin/bash rpa

WORKDIR /opt/rpa

# The fully pinned set only (requirements.in resolves differently with other
# tools), without resolving again: the same packages as the embedded stack.
COPY requirements.txt ./
RUN pip install --no-deps -r requirements.txt \
    && pip check

# The project, owned by root and read-only for the services.
COPY . /opt/rpa/
RUN mkdir -p /opt/rpa/data /opt/airflow/logs /opt/airflow/auth \
    && chown -R rpa:rpa /opt/rpa/data /opt/airflow

USER rpa
EXPOSE 8080 8081 8082 8083
CMD ["airflow", "version"]
