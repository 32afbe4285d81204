using Azure.Storage.Blobs;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.Api.Hosting;

/// <summary>The blob store answers (uploads and image content need it).</summary>
public sealed class BlobStoreHealthCheck(BlobServiceClient blobs) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await blobs.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            return HealthCheckResult.Unhealthy("The blob store does not answer.", e);
        }
    }
}
