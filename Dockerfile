# A thin wrapper around the same set-up script that `npm start` and CI use.
FROM node:20-bookworm
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY server/setup ./server/setup
# Debian packages + npm ci + the offline mediasoup worker build, all in one idempotent script.
RUN bash server/setup/setup.sh
COPY . .
ENV HOST=0.0.0.0 PORT=8080 RTC_LISTEN_IP=0.0.0.0
EXPOSE 8080 40000-40100/udp 40000-40100/tcp
CMD ["node", "--import", "tsx", "server/main.ts"]
