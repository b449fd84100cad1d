# The TiKV Operator backend (src/server): the official Node 20 image, dependencies from package-lock.json, started
# with `npm start` (esbuild bundles our TypeScript, node runs it). Configuration comes from the environment (DESIGN.md "Names").
FROM node:20.19.5-bookworm

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. better-sqlite3 (the action audit log) builds or
# downloads its native module here; the bookworm image has the toolchain for either.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
ENV NODE_ENV=production

# esbuild (a devDependency: hence a full `npm ci`) reads tsconfig.json, which extends the scaffold's
# .config/tsconfig.json. The bundle is built here and again by `npm start`, as the unprivileged user: it owns build/.
COPY tsconfig.json ./
COPY .config/tsconfig.json ./.config/
COPY src ./src
RUN npm run build:server && chown -R node:node build

# The audit log lives on a volume (AUDIT_DB_PATH); run as the image's unprivileged user.
RUN mkdir -p /data && chown node:node /data
USER node

ENV HOST=0.0.0.0 PORT=3100 AUDIT_DB_PATH=/data/audit.db
EXPOSE 3100
CMD ["npm", "start"]
