# syntax=docker/dockerfile:1
# The HTTP API and the search page, CPU build. Build from the repository root:
#   docker build -f deploy/api.Dockerfile -t pipeline-api .
# Search embeds queries with the CLIP text tower of the worker's model: mount the same models folder at /models and
# point Models__ImageEmbedder__Path at the same CLIP folder as the worker's.

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TARGETARCH
WORKDIR /src
# Project files first: the restore layer is reused until they change.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Pipeline.Api/Pipeline.Api.csproj src/Pipeline.Api/
COPY src/Pipeline.Contracts/Pipeline.Contracts.csproj src/Pipeline.Contracts/
COPY src/Pipeline.ServiceDefaults/Pipeline.ServiceDefaults.csproj src/Pipeline.ServiceDefaults/
COPY src/Pipeline.Imaging/Pipeline.Imaging.csproj src/Pipeline.Imaging/
COPY src/Pipeline.Inference/Pipeline.Inference.csproj src/Pipeline.Inference/
COPY src/Pipeline.Messaging/Pipeline.Messaging.csproj src/Pipeline.Messaging/
COPY src/Pipeline.Search/Pipeline.Search.csproj src/Pipeline.Search/
COPY src/Pipeline.Sources/Pipeline.Sources.csproj src/Pipeline.Sources/
COPY src/Pipeline.Storage/Pipeline.Storage.csproj src/Pipeline.Storage/
# One architecture's native libraries only; without BuildKit TARGETARCH is unset and the image is amd64.
RUN dotnet restore src/Pipeline.Api/Pipeline.Api.csproj -a "${TARGETARCH:-amd64}"
COPY src/ src/
RUN dotnet publish src/Pipeline.Api/Pipeline.Api.csproj -c Release -o /app -a "${TARGETARCH:-amd64}" \
    --no-self-contained --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
WORKDIR /app
COPY --from=build /app ./
# The .NET images ship an unprivileged 'app' user (APP_UID 1654) and listen on 8080 (ASPNETCORE_HTTP_PORTS).
USER $APP_UID
EXPOSE 8080
ENV DOTNET_ENVIRONMENT=Production \
    Models__ImageEmbedder__Path=/models/clip-vit-base-patch32
ENTRYPOINT ["dotnet", "Pipeline.Api.dll"]
