using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Pipeline.Testing;

/// <summary>The same three services in containers, for machines where a Docker engine answers.</summary>
public sealed class ContainerServices : IAsyncDisposable
{
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly PostgreSqlContainer _postgres = new PostgreSqlBuilder("pgvector/pgvector:0.8.0-pg15")
        .WithUsername("pipeline")
        .WithPassword("pipeline")
        .WithDatabase("pipeline")
        .Build();

    private readonly RabbitMqContainer _rabbit = new RabbitMqBuilder("rabbitmq:3.13-management")
        .WithUsername("guest")
        .WithPassword("guest")
        .Build();

    private readonly IContainer _azurite = new ContainerBuilder("mcr.microsoft.com/azure-storage/azurite:3.35.0")
        .WithCommand("azurite-blob", "--blobHost", "0.0.0.0", "--blobPort", "10000", "--skipApiVersionCheck", "--loose")
        .WithPortBinding(10000, assignRandomHostPort: true)
        .WithWaitStrategy(Wait.ForUnixContainer().UntilInternalTcpPortIsAvailable(10000))
        .Build();

    public async Task<ServiceEndpoints> StartAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            _postgres.StartAsync(cancellationToken),
            _rabbit.StartAsync(cancellationToken),
            _azurite.StartAsync(cancellationToken)).ConfigureAwait(false);

        var blobs = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteKey};" +
            $"BlobEndpoint=http://{_azurite.Hostname}:{_azurite.GetMappedPublicPort(10000)}/devstoreaccount1;";
        return new ServiceEndpoints(_postgres.GetConnectionString(), _rabbit.GetConnectionString(), blobs, "Testcontainers (Docker)");
    }

    public async ValueTask DisposeAsync()
    {
        await _postgres.DisposeAsync().ConfigureAwait(false);
        await _rabbit.DisposeAsync().ConfigureAwait(false);
        await _azurite.DisposeAsync().ConfigureAwait(false);
    }
}
