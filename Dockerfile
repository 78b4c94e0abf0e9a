FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir --upgrade pip setuptools wheel \
    && pip install --no-cache-dir -e . \
    && pip install --no-cache-dir --require-hashes --no-deps -r requirements/model.txt \
    && DEBUG=1 SECRET_KEY=build-only python manage.py collectstatic --no-input --verbosity 0 \
    && useradd --create-home portcullis && mkdir -p /app/var/media && chown -R portcullis /app/var
USER portcullis
EXPOSE 8000
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "--config", "gunicorn.conf.py", "config.wsgi", "--bind", "0.0.0.0:8000"]
