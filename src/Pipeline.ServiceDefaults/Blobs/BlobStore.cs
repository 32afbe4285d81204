using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.ServiceDefaults.Blobs;

public static class BlobStore
{
    /// <summary>The one <see cref="BlobServiceClient"/> of a host, for the store at <paramref name="connectionString"/>.</summary>
    public static IServiceCollection AddBlobStore(this IServiceCollection services, string connectionString) =>
        services.AddSingleton(new BlobServiceClient(connectionString, ClientOptions()));

    /// <summary>
    /// A couple of quick SDK retries smooth over a dropped connection. Longer outages are not the client's to wait out:
    /// an API request fails fast rather than hang, and the worker leaves them to its batch retry policy
    /// (Batching:Retry*), so that one policy decides when a message goes to the error queue.
    /// </summary>
    private static BlobClientOptions ClientOptions()
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return options;
    }
}
