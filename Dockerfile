# syntax=docker/dockerfile:1.7
# Kervan CRM image: one image for the web, worker and beat services of docker-compose.yml.
# Configuration comes only from the environment at run time (see .env.example).

# --- front-end packages: npm ci from the lock file, nothing else from this stage is kept ----
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

# --- the application --------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles \
    PRIVATE_MEDIA_ROOT=/app/var/private \
    CELERY_BEAT_SCHEDULE_FILENAME=/app/var/celerybeat-schedule

# WeasyPrint renders PDFs with Pango/HarfBuzz; DejaVu is the fallback font for PDFs;
# gettext's msgfmt compiles the translations below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /home/kervan --uid 10001 kervan
WORKDIR /app

# Dependencies first, so that code changes reuse this layer.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Fill static/vendor/ from the npm stage's node_modules (bind-mounted: not kept in a layer).
RUN --mount=type=bind,from=assets,source=/src/node_modules,target=/app/node_modules \
    python scripts/vendor.py

# The settings need a database URL and a secret key to load; neither command uses them.
RUN export DATABASE_URL=postgres://build/unused DJANGO_SECRET_KEY=build-only \
    && python manage.py compilemessages --ignore=node_modules --ignore=var --verbosity 0 \
    && python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var/private \
    && chown -R kervan:kervan /app/var

USER kervan
VOLUME ["/app/var"]
EXPOSE 8000

# docker-compose.yml runs the migrations in a one-shot service before web starts; a bare
# `docker run` of this image migrates first itself.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn crm.wsgi --bind 0.0.0.0:8000 --access-logfile - --forwarded-allow-ips='*'"]
