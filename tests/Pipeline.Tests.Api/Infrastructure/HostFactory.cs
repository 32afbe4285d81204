using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Pipeline.Tests.Api.Infrastructure;

/// <summary>
/// A real host (its own Program: service registration and endpoints) with the settings of one test, its HTTP server
/// in memory. <typeparamref name="TEntryPoint"/> only names the host's assembly: both the API and the worker have a
/// top-level <c>Program</c> (<c>ApiOptions</c> names the API, <c>HttpOptions</c> the worker).
/// </summary>
public sealed class HostFactory<TEntryPoint>(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Test");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
