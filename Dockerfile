# Image for compose.yaml (web, worker, beat). Build: docker build -t oots-portal .
FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# xmlsec1 for SAML (python3-saml); fonts-dejavu-core for the receipt PDF (OOTS_RECEIPT_FONT)
RUN apt-get update && apt-get install -y --no-install-recommends xmlsec1 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY portal ./portal
COPY authorities ./authorities
COPY accounts ./accounts
COPY authorities ./authorities
COPY procedures ./procedures
COPY registrations ./registrations
COPY exchanges ./exchanges
COPY simulators ./simulators
# oots_client carries the rule book the run-time checks read: schemas, the official Schematron, code lists
COPY oots_client ./oots_client
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY scripts ./scripts
COPY manage.py ./
# The receipt's fonts are prepared here, once for every container of the image (OOTS_RECEIPT_FONT_DIR,
# /app/var/receipt-fonts: in the image, not in the media volume).
RUN pip install --no-cache-dir --only-binary lxml,xmlsec . \
    && (cd / && python -c "from oots_client.edm import build_request as b, validate_message as v; from oots_client.edm.examples import example_request as e; assert v(b(e(), 'v1.0')).is_valid") \
    && python scripts/compile_translations.py \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input \
    && SECRET_KEY=build-only python manage.py prepare_receipt_font
RUN useradd --system --home /app portal && mkdir -p /app/var && chown portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
