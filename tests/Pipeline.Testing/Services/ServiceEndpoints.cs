namespace Pipeline.Testing;

/// <summary>Connection strings of the real RabbitMQ, Postgres (pgvector) and Azurite the tests run against.</summary>
public sealed record ServiceEndpoints(string Postgres, string RabbitMq, string Blobs, string Origin)
{
    public static ServiceEndpoints? FromEnvironment()
    {
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        var rabbit = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        var blobs = Environment.GetEnvironmentVariable("ConnectionStrings__Blobs");
        return string.IsNullOrWhiteSpace(postgres) || string.IsNullOrWhiteSpace(rabbit) || string.IsNullOrWhiteSpace(blobs)
            ? null
            : new ServiceEndpoints(postgres, rabbit, blobs, "local services (environment)");
    }
}
