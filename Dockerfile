# syntax=docker/dockerfile:1
# kproxy's image: docker build -t kproxy:latest .   (manifests/daemonset.yaml runs kproxy:latest)

ARG NODE_IMAGE=node:22-bookworm-slim

# Build: compile src/ to dist/ as an unprivileged user.
FROM ${NODE_IMAGE} AS build
RUN mkdir /app && chown node:node /app
USER node
WORKDIR /app
COPY --chown=node:node package.json package-lock.json ./
# --ignore-scripts: the package's own `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts
COPY --chown=node:node tsconfig.json tsconfig.build.json ./
COPY --chown=node:node src ./src
RUN npm run build

# Production dependencies only, resolved from the same lockfile.
FROM ${NODE_IMAGE} AS prod-deps
RUN mkdir /app && chown node:node /app
USER node
WORKDIR /app
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# Runtime: Node, iptables (Debian's package carries both the nft and the legacy backend) and
# conntrack (deleting stale UDP flows when endpoints change).
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends iptables conntrack \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY --chmod=0755 docker/iptables-wrapper /usr/local/bin/iptables-wrapper
RUN chmod 0755 /app/bin/kproxy.js && ln -s /app/bin/kproxy.js /usr/local/bin/kproxy
# Root with only the capabilities the DaemonSet grants (NET_ADMIN, NET_RAW): iptables needs them.
ENTRYPOINT ["/usr/local/bin/iptables-wrapper"]
CMD ["--help"]
