FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv PATH="/opt/venv/bin:$PATH"

# WeasyPrint needs Pango (and subsets fonts with HarfBuzz); curl for the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN python scripts/compile_messages.py \
 && DJANGO_SETTINGS_MODULE=gdpa.settings.local SECRET_KEY=build python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 gdpa && mkdir -p /app/var/media && chown -R gdpa /app/var
USER gdpa
# The image serves production settings (which refuse to start without a real SECRET_KEY);
# run it with -e DJANGO_SETTINGS_MODULE=gdpa.settings.local only for a local try-out.
ENV DJANGO_SETTINGS_MODULE=gdpa.settings.production
EXPOSE 8000
CMD ["gunicorn", "gdpa.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
