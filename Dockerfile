# syntax=docker/dockerfile:1.7
# Mira API image: multi-stage, Node 20 LTS on Debian bookworm slim, production dependencies only, linux-only
# onnxruntime binaries, models fetched and sha256-verified at build time, non-root, HEALTHCHECK on /health.
#
#   docker build -t mira-api .                      (linux/amd64 or linux/arm64: --platform selects TARGETARCH)
#   docker run -p 8000:8000 -e DATABASE_URL=... -e JWT_SECRET=... -e NODE_ENV=production mira-api
#
# Without network access at build time, put the model files in ./model-mirror/ (inside the build context) and:
#   docker build --build-arg MODELS_FETCH_ARGS="--mirror model-mirror" .

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------- build: compile TypeScript, bundle the server, fetch models
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# onnxruntime-node's postinstall would download CUDA libraries; the CPU library ships in the package.
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    npm_config_onnxruntime_node_install=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
# Models: models/manifest.json lists each file with its sha256; models-fetch downloads (or copies from a mirror)
# the MODEL_DIR models and verifies every checksum, failing the build on a mismatch.
ARG MODELS_FETCH_ARGS=""
RUN mkdir -p models /app/model-files \
    && node dist/apps/api/src/cli/models-fetch.js --model-dir /app/model-files ${MODELS_FETCH_ARGS}

# ---------------------------------------------------------------- prod-deps: runtime node_modules only
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ARG TARGETARCH
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    npm_config_onnxruntime_node_install=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund \
    && npm cache clean --force
# onnxruntime-node carries every platform's binaries (~290 MB): keep linux for this image's architecture only.
RUN set -eux; \
    case "${TARGETARCH:-amd64}" in amd64) keep=x64 ;; arm64) keep=arm64 ;; *) echo "unsupported arch ${TARGETARCH}"; exit 1 ;; esac; \
    for napi in node_modules/onnxruntime-node/bin/napi-v*; do \
      rm -rf "$napi/darwin" "$napi/win32"; \
      for arch in "$napi"/linux/*; do [ "$(basename "$arch")" = "$keep" ] || rm -rf "$arch"; done; \
      test -f "$napi/linux/$keep/onnxruntime_binding.node"; \
    done

# ---------------------------------------------------------------- runtime
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/app/data \
    MODEL_DIR=/app/model-files \
    SHUTDOWN_TIMEOUT_MS=25000
# Code and models stay owned by root (read-only for the app); only the data directory is writable.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/models ./models
COPY --from=build /app/model-files ./model-files
RUN mkdir -p /app/data && chown node:node /app/data
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (graceful drain, exit 0). dist/server/main.js is the bundled server (one
# file and its chunks, built by `npm run build`: a start reads no TypeScript and resolves few modules).
# Migrations: `node dist/apps/api/src/cli/migrate.js`.
CMD ["node", "dist/server/main.js"]
