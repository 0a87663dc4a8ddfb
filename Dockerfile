# virtio-viz: the same server as `./scripts/run`, in a container.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# The package and the committed frontend build (static/): no Node needed at run time.
COPY pyproject.toml README.md ./
COPY server ./server
COPY static ./static
RUN pip install . \
    && useradd --create-home --uid 10001 viz \
    && chown -R viz /app
ENV VIRTIO_VIZ_STATIC_DIR=/app/static

USER viz
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["virtio-viz", "serve", "--host", "0.0.0.0", "--port", "8000"]
