# syntax=docker/dockerfile:1
# The worker, CPU build. Build from the repository root:
#   docker build -f deploy/worker.Dockerfile -t pipeline-worker .
# Models are not baked in: mount the folder `pipeline models fetch` fills at /models (docker-compose.yml's setup
# service does). The GPU build is deploy/worker.gpu.Dockerfile.

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TARGETARCH
WORKDIR /src
# Project files first: the restore layer (ONNX Runtime, SkiaSharp: hundreds of MB) is reused until they change.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Pipeline.Contracts/Pipeline.Contracts.csproj src/Pipeline.Contracts/
COPY src/Pipeline.ServiceDefaults/Pipeline.ServiceDefaults.csproj src/Pipeline.ServiceDefaults/
COPY src/Pipeline.Imaging/Pipeline.Imaging.csproj src/Pipeline.Imaging/
COPY src/Pipeline.Inference/Pipeline.Inference.csproj src/Pipeline.Inference/
COPY src/Pipeline.Messaging/Pipeline.Messaging.csproj src/Pipeline.Messaging/
COPY src/Pipeline.Sources/Pipeline.Sources.csproj src/Pipeline.Sources/
COPY src/Pipeline.Storage/Pipeline.Storage.csproj src/Pipeline.Storage/
COPY src/Pipeline.Worker/Pipeline.Worker.csproj src/Pipeline.Worker/
# One architecture's native libraries only (ONNX Runtime and SkiaSharp ship every platform's otherwise); without
# BuildKit TARGETARCH is unset and the image is amd64.
RUN dotnet restore src/Pipeline.Worker/Pipeline.Worker.csproj -a "${TARGETARCH:-amd64}"
COPY src/ src/
RUN dotnet publish src/Pipeline.Worker/Pipeline.Worker.csproj -c Release -o /app -a "${TARGETARCH:-amd64}" \
    --no-self-contained --no-restore -p:UseAppHost=false

# ASP.NET Core runtime: the worker serves /health/live and /health/ready on Http:Urls.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
WORKDIR /app
COPY --from=build /app ./
# The .NET images ship an unprivileged 'app' user; APP_UID (1654) is numeric so Kubernetes' runAsNonRoot can check it.
USER $APP_UID
# Memory you can predict (docs/OPERATIONS.md, "Memory"): glibc gives every allocation of 128 KiB or more its own mapping, returned
# when freed (by default the threshold rises to 32 MiB as ONNX Runtime frees buffers, and its per-thread heaps kept
# hundreds of MB of freed tensors), with 2 heaps instead of 8 per core; the GC keeps the managed heap under 768 MiB
# (the formula's cap at Batching:MaxBatchSize 5; inside a container it would otherwise allow 75 % of the limit).
ENV DOTNET_ENVIRONMENT=Production \
    Http__Urls=http://+:8081 \
    Models__ImageEmbedder__Path=/models/clip-vit-base-patch32 \
    Models__Captioner__Path=/models/distilvit \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_ARENA_MAX=2 \
    DOTNET_GCHeapHardLimit=0x30000000
EXPOSE 8081
ENTRYPOINT ["dotnet", "Pipeline.Worker.dll"]
