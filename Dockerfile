FROM python:3.11-slim
# WeasyPrint needs Pango; fonts with Kazakh Cyrillic for the PDF notices.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The exact versions and file hashes of requirements.lock, in a layer of their own.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps .
ENV APP_ENV=production
EXPOSE 8000
# Migrations are not run here: once per deploy, by `python manage.py migrate` (the `migrate`
# service of docker-compose.yml), never by every replica at start.
CMD ["uvicorn", "--factory", "main:create_app", "--loop", "eventloop:new_event_loop", "--host", "0.0.0.0", "--port", "8000"]
