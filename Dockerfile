# Build stage: compile the release binary (SQLite and libpq are built from bundled sources).
FROM rust:1.88-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
COPY seeds seeds
RUN cargo build --release --locked

# Run stage: the binary alone, as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/sinergi --create-home sinergi
COPY --from=build /src/target/release/sinergi /usr/local/bin/sinergi
COPY seeds /usr/share/sinergi/seeds
USER sinergi
WORKDIR /var/lib/sinergi
ENV SINERGI_BIND=0.0.0.0:8080 SINERGI_DATA_DIR=/var/lib/sinergi/data SINERGI_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["sinergi"]
CMD ["serve"]
