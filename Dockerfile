# The chokepoint service (python backend; the durable extra is left out: it needs a compiler).
# Built from the repository's wheel, so the image runs what `pip install` gives a user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir build && python -m build --wheel --outdir /dist

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 chokepoint && mkdir /data && chown chokepoint /data
COPY --from=build /dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl
USER chokepoint
# the default SQLite database and the jobs folder; compose sets CHOKEPOINT_DATABASE_URL
ENV CHOKEPOINT_DATA_DIR=/data CHOKEPOINT_CACHE_DIR=/data/cache PYTHONUNBUFFERED=1
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["chokepoint", "serve", "--host", "0.0.0.0", "--port", "8000"]
