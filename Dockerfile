# One image for every IXR service; docker-compose.yml picks the service with the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps apps
COPY libs libs
COPY scripts scripts
COPY bench bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/scripts/register-paths.js scripts/register-paths.js
# Development signing keys (exchange log, audit exports) are generated here when none is configured.
# The log's checkpoint copy (LOG_CHECKPOINT_FILE in docker-compose.yml) is a volume mounted below it.
RUN mkdir -p .data/log-checkpoint && chown -R node:node .data
USER node
