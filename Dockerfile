# Samverkan: a small image that runs `samverkan serve` as a non-root user.
#   docker build -t samverkan .
#   docker compose up          (with PostgreSQL, see compose.yaml)
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY samverkan ./samverkan
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SAMVERKAN_HTTP_PORT=8080
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels samverkan \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /var/lib/samverkan --create-home samverkan
USER samverkan
WORKDIR /var/lib/samverkan
EXPOSE 8080
# /healthz answers 200 while the database is reachable (503 when it is not).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"
# init is safe on every start: it creates or upgrades the schema, then the service runs.
CMD ["sh", "-c", "samverkan init && exec samverkan serve --host 0.0.0.0"]
