# syntax=docker/dockerfile:1
# The worker, GPU build (ONNX Runtime's CUDA execution provider). Build from the repository root on a machine whose
# NuGet source serves Microsoft.ML.OnnxRuntime.Gpu.Linux (scripts/test.sh restores and tests that flavour in CI):
#   docker build -f deploy/worker.gpu.Dockerfile -t pipeline-worker-gpu .
# Run it with a GPU: `docker run --gpus 1 ...`, `docker compose --profile gpu up`, or deploy/k8s (nvidia.com/gpu).
#
# CUDA and cuDNN: ONNX Runtime's CUDA 12 builds left nuget.org for a separate, deprecated feed with 1.27; the
# Microsoft.ML.OnnxRuntime.Gpu.Linux there is built against CUDA 13 and cuDNN 9 (1.32.0, the version pinned: its
# libonnxruntime_providers_cuda.so needs libcudart.so.13 and libcublas.so.13 and loads libcudnn.so.9). Any CUDA 13.x
# runtime works with it (minor version compatibility); the host needs an NVIDIA driver of the 580 series or newer and
# the NVIDIA container toolkit. When Directory.Packages.props moves ONNX Runtime, check the CUDA major of the new
# package before moving this base.

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
# Project files first: the restore layer (the CUDA package alone is over 500 MB) is reused until they change.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Pipeline.Contracts/Pipeline.Contracts.csproj src/Pipeline.Contracts/
COPY src/Pipeline.ServiceDefaults/Pipeline.ServiceDefaults.csproj src/Pipeline.ServiceDefaults/
COPY src/Pipeline.Imaging/Pipeline.Imaging.csproj src/Pipeline.Imaging/
COPY src/Pipeline.Inference/Pipeline.Inference.csproj src/Pipeline.Inference/
COPY src/Pipeline.Messaging/Pipeline.Messaging.csproj src/Pipeline.Messaging/
COPY src/Pipeline.Sources/Pipeline.Sources.csproj src/Pipeline.Sources/
COPY src/Pipeline.Storage/Pipeline.Storage.csproj src/Pipeline.Storage/
COPY src/Pipeline.Worker/Pipeline.Worker.csproj src/Pipeline.Worker/
# OnnxRuntimeFlavor=Gpu swaps Microsoft.ML.OnnxRuntime for Microsoft.ML.OnnxRuntime.Gpu.Linux (same version, same
# managed API). The package has CUDA libraries for linux-x64 only, hence no TARGETARCH.
RUN dotnet restore src/Pipeline.Worker/Pipeline.Worker.csproj -r linux-x64 -p:OnnxRuntimeFlavor=Gpu
COPY src/ src/
RUN dotnet publish src/Pipeline.Worker/Pipeline.Worker.csproj -c Release -o /app -r linux-x64 \
    --no-self-contained --no-restore -p:UseAppHost=false -p:OnnxRuntimeFlavor=Gpu

FROM nvidia/cuda:13.0.2-cudnn-runtime-ubuntu24.04 AS runtime
# The ASP.NET Core runtime of Microsoft's image for the same Ubuntu release, and the libraries it needs that the CUDA
# image does not promise (OpenSSL for HTTPS, CA roots, time zones). The unprivileged user matches the .NET images' app
# user (1654), so volumes and Kubernetes' runAsUser work alike for both builds.
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0-noble /usr/share/dotnet /usr/share/dotnet
ENV APP_UID=1654
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
    && apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3t64 tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid "$APP_UID" app \
    && useradd --uid "$APP_UID" --gid "$APP_UID" --no-create-home --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /app ./
USER $APP_UID
# ExecutionProvider=Cuda: without a usable GPU the worker refuses to start instead of running on the CPU unnoticed.
# The memory settings are the CPU image's (deploy/worker.Dockerfile; docs/OPERATIONS.md, "Memory").
ENV DOTNET_ENVIRONMENT=Production \
    DOTNET_RUNNING_IN_CONTAINER=true \
    Http__Urls=http://+:8081 \
    Inference__ExecutionProvider=Cuda \
    Models__ImageEmbedder__Path=/models/clip-vit-base-patch32 \
    Models__Captioner__Path=/models/distilvit \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_ARENA_MAX=2 \
    DOTNET_GCHeapHardLimit=0x30000000
EXPOSE 8081
ENTRYPOINT ["dotnet", "Pipeline.Worker.dll"]
