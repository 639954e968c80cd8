# syntax=docker/dockerfile:1
#
# cxone-connector image (the last stage, `runtime`): the connector and nothing
# that exists for tests. The CXone simulator is a stage of its own (`sim`), and
# the chaos run's crash points (src/cli-crash-points.ts) are in neither.
#
#   docker build -t cxone-connector:0.1.0 .
#   docker build --target sim -t cxone-connector-sim:0.1.0 .
#   docker run -v $PWD/config.yaml:/etc/cxone-connector/config.yaml:ro \
#     -e CXONE_CLIENT_SECRET=... -p 9464:9464 cxone-connector:0.1.0
#
# Base images: pin them by digest for a release build (a tag can be moved under
# you): `bash scripts/pin-base-images.sh` resolves each tag below to its current
# digest and writes it in; run it again to bump, and commit the change.
#
# The runtime is distroless: Node 24 and nothing else (no shell, no npm, no
# package manager), running as the image's non-root user 65532. Its HEALTHCHECK
# is the connector's own `health` command (there is no curl): GET /readyz on
# the default metrics port, or CXONE_CONNECTOR_HEALTH_URL. The simulator image
# is checked with `health --url http://127.0.0.1:8089/_sim/stats`
# (docker-compose.yml does so). Kubernetes uses the chart's HTTP probes.

ARG NODE_IMAGE=node:24-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

# --- build: full dependencies, TypeScript -> dist/ -------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# vendor/kafkajs: our fork of kafkajs 2.2.4 (vendor/kafkajs/CHANGES.md), an npm
# workspace that npm ci links as node_modules/kafkajs.
COPY vendor ./vendor
# --ignore-scripts: the only install scripts in the tree are the `node`
# devDependency's (it downloads a second Node binary we do not need: the base
# image has Node 24) and protobufjs's version notice.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# dist/ for the simulator stage; dist-runtime/ without the simulator (its CLI option
# table stays: `sim --help` names the image to use) and without the crash-point entry.
RUN npm run build \
 && cp -R dist dist-runtime \
 && find dist-runtime/sim -type f ! -name 'cli-options.*' -delete \
 && rm -f dist-runtime/cli-crash-points.*

# --- prod-deps: production dependencies only -------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY vendor ./vendor
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# --- sim: the CXone simulator, for compose and local stacks, never production --
FROM ${RUNTIME_IMAGE} AS sim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=prod-deps /app/vendor ./vendor
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
USER 65532:65532
EXPOSE 8089
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=6 \
  CMD ["/nodejs/bin/node", "dist/cli.js", "health", "--url", "http://127.0.0.1:8089/_sim/stats"]
ENTRYPOINT ["/nodejs/bin/node", "dist/cli.js"]
CMD ["sim", "--host", "0.0.0.0"]

# --- runtime ----------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
LABEL org.opencontainers.image.title="cxone-connector" \
      org.opencontainers.image.description="Kafka-to-NICE CXone connector with an exactly-once effect" \
      org.opencontainers.image.licenses="Apache-2.0"
# The heap as the Helm chart sizes it (see nodeOptions in its values.yaml).
ENV NODE_ENV=production \
    NODE_OPTIONS="--enable-source-maps --max-semi-space-size=16 --max-old-space-size=192"
WORKDIR /app
# Everything is owned by root and only readable by the runtime user: the
# process cannot modify its own code, and the root filesystem can be mounted
# read-only (the connector writes nothing to disk).
COPY --from=prod-deps /app/node_modules ./node_modules
# node_modules/kafkajs is a link to the workspace: the fork itself.
COPY --from=prod-deps /app/vendor ./vendor
COPY package.json ./
COPY --from=build /app/dist-runtime ./dist
# Read at runtime relative to dist/ (dist/output/output-schemas.js -> /app/schemas/).
COPY schemas ./schemas
COPY examples ./examples
USER 65532:65532
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
  CMD ["/nodejs/bin/node", "dist/cli.js", "health"]
ENTRYPOINT ["/nodejs/bin/node", "dist/cli.js"]
CMD ["run", "--config", "/etc/cxone-connector/config.yaml"]
