# Orgstream service image. Node runs the TypeScript sources directly (type
# stripping), so there is no build step beyond installing and generating the
# Prisma client. Used by docker-compose.yml with an external PostgreSQL.
FROM node:24-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000

COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts ./scripts
# Dev dependencies are needed at install time: the postinstall step runs the
# Prisma generator (prisma CLI) to produce src/generated/.
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY src ./src
COPY events ./events
COPY projections ./projections
COPY schema ./schema

USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "src/main.ts"]
