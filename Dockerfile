# Inkan container image: the compiled release only (no sources, no tsx, no development packages),
# run by a non-root user with its data on the /data volume.
#
#   docker build -t inkan .            (or: podman build -t inkan .)
#   docker run -p 3000:3000 -v inkan-data:/data -e INKAN_PUBLIC_URL=https://sign.example.jp inkan
#
# BASE is the runtime image; BUILD_BASE has the compilers that native modules (better-sqlite3,
# pkcs11js) may need when no prebuilt binary can be downloaded. Both must carry the same Node major
# and C library, since the runtime stage reuses the node_modules the build stage installed.
ARG BASE=node:20-bookworm-slim
ARG BUILD_BASE=node:20-bookworm

FROM ${BUILD_BASE} AS build
WORKDIR /src
# Manifests first, so that the dependency layer is cached across source changes.
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/server/package.json packages/server/
COPY packages/web/package.json packages/web/
RUN npm ci --no-audit --no-fund
COPY . .
# The release test (packages/server/test/release) runs this very script: build, copy, npm ci --omit=dev.
RUN bash scripts/build-release.sh /release

FROM ${BASE}
ENV NODE_ENV=production \
    INKAN_DATA_DIR=/data \
    INKAN_HOST=0.0.0.0 \
    INKAN_PORT=3000
# glibc malloc settings of deploy/node-env.json (less resident memory after work; see docs/deploy.md).
ENV MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_TRIM_THRESHOLD_=131072
RUN groupadd --system inkan \
 && useradd --system --gid inkan --home-dir /data --shell /usr/sbin/nologin inkan \
 && mkdir -p /data \
 && chown inkan:inkan /data \
 && chmod 700 /data
WORKDIR /app
# Owned by root and read-only to the service user: the code cannot be changed by the process running it.
COPY --from=build /release /app
USER inkan
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.INKAN_PORT||3000)+'/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# V8 flags of deploy/node-flags.json (a 2 MiB young-generation semi-space: about 28 MiB less resident memory).
ENTRYPOINT ["node", "--max-semi-space-size=2", "/app/bin/inkan.mjs"]
CMD ["serve"]
