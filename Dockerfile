FROM python:3.11-slim
# WeasyPrint needs Pango; fonts with Kazakh Cyrillic for the PDF notices.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir .
ENV APP_ENV=production
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate && uvicorn --factory main:create_app --loop eventloop:new_event_loop --host 0.0.0.0 --port 8000"]
