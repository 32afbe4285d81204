# syntax=docker/dockerfile:1
# The HTTP API and the search page, CPU build. Build from the repository root:
#   docker build -f deploy/api.Dockerfile -t pipeline-api .
# Search embeds queries with the CLIP text tower of the worker's model: mount the same models folder and point
# Models__ImageEmbedder__Path at the same CLIP folder as the worker's.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/Pipeline.Api/Pipeline.Api.csproj -c Release -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The .NET images ship an unprivileged 'app' user (UID 1654) and listen on 8080 (ASPNETCORE_HTTP_PORTS).
USER app
EXPOSE 8080
ENV DOTNET_ENVIRONMENT=Production \
    Models__ImageEmbedder__Path=/models/clip-vit-base-patch32
ENTRYPOINT ["dotnet", "Pipeline.Api.dll"]
