# syntax=docker/dockerfile:1
# The worker, CPU build. Build from the repository root:
#   docker build -f deploy/worker.Dockerfile -t pipeline-worker .
# Models are not baked in: mount a folder in the Xenova CLIP layout and point Models__ImageEmbedder__Path at it.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/Pipeline.Worker/Pipeline.Worker.csproj -c Release -o /app -p:UseAppHost=false

# ASP.NET Core runtime: the worker serves /health/live and /health/ready on Http:Urls.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The .NET images ship an unprivileged 'app' user (UID 1654).
USER app
ENV DOTNET_ENVIRONMENT=Production \
    Http__Urls=http://+:8081 \
    Models__ImageEmbedder__Path=/models/clip-vit-base-patch32 \
    Models__Captioner__Path=/models/distilvit
EXPOSE 8081
ENTRYPOINT ["dotnet", "Pipeline.Worker.dll"]
