# gazette in a container, for pipelines that run containers:
#   docker build -t gazette .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/site" gazette build /site
# builds the site in the current folder into ./public (README, Install).
#
# Stage 1 builds a static binary: Alpine's Rust targets musl, which links statically.
FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev gcc
WORKDIR /src
COPY . .
RUN cargo build --locked --release --bin gazette \
    && strip target/release/gazette \
    && ./target/release/gazette --version

# Stage 2 is the binary and its licences, nothing else: no shell, no package manager.
FROM scratch
COPY --from=build /src/target/release/gazette /usr/local/bin/gazette
COPY --from=build /src/README.md /src/LICENSE-MIT /src/LICENSE-APACHE /usr/share/doc/gazette/
WORKDIR /site
ENTRYPOINT ["/usr/local/bin/gazette"]
CMD ["build", "/site"]
