# The TiKV Operator backend (src/server) on Node 24, the Active LTS (Node 20 left support on 2026-04-30). Three
# stages, so the image holds only what runs: the bundle esbuild builds in `build`, and the production dependencies
# (`npm ci --omit=dev`) from `deps`, on the slim image of the same Debian release. No esbuild, no TypeScript and no
# devDependency at run time. Configuration comes from the environment (DESIGN.md "Names").

# ── build: all dependencies, the server bundle (build/server.js; dependencies stay external packages) ───────────
FROM node:24.11.1-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# esbuild reads tsconfig.json, which extends the scaffold's .config/tsconfig.json.
COPY tsconfig.json ./
COPY .config/tsconfig.json ./.config/
COPY src ./src
RUN npm run build:server

# ── deps: production dependencies only. better-sqlite3 (the action audit log) downloads or builds its native module
# here, where the full bookworm image has the toolchain; the slim image below is the same Debian, same glibc.
FROM node:24.11.1-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# ── runtime ────────────────────────────────────────────────────────────────────────────────────────────────────
FROM node:24.11.1-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/package.json ./
COPY --from=build /app/build ./build

# The audit log lives on a volume (AUDIT_DB_PATH); run as the image's unprivileged user.
RUN mkdir -p /data && chown node:node /data
USER node

ENV HOST=0.0.0.0 PORT=3100 AUDIT_DB_PATH=/data/audit.db
EXPOSE 3100
# The prebuilt bundle, as `npm start` runs it after building (node directly: signals reach it, no npm in between).
# --heap-growing-percent=100: V8 grows the old generation to 2× its live size between full GCs instead of up to 4×,
# which keeps a 30-day × 1,000-store history near 195 MB of RSS (bench (e); README, "Run the backend").
CMD ["node", "--enable-source-maps", "--heap-growing-percent=100", "build/server.js"]
