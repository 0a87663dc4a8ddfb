# virtio-viz: the same server as `./scripts/run`, in a container.
# Stage 1 builds the wheel (which carries the committed frontend build and the shipped
# recordings inside the package, and the model compiled by mypyc, for which stage 1 has a C
# compiler); stage 2 installs only that wheel. No Node and no compiler in the image.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in LICENSE README.md ./
COPY server ./server
COPY static ./static
RUN pip wheel --no-deps --wheel-dir /dist .

FROM python:3.11-slim
# PYTHONMALLOC=malloc: freed sessions go back to the system (server/virtio_viz/api/memory.py)
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PYTHONMALLOC=malloc
COPY --from=build /dist /dist
RUN pip install /dist/*.whl && rm -rf /dist \
    && useradd --create-home --uid 10001 viz

USER viz
WORKDIR /home/viz
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["virtio-viz", "serve", "--host", "0.0.0.0", "--port", "8000"]
