using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Pipeline.Worker.Hosting;

namespace Pipeline.Tests.Api.Infrastructure;

/// <summary>
/// The real worker (its own Program: service registration, health and metrics endpoints) with the settings of one
/// test, its HTTP server in memory. The type argument only names the worker's assembly.
/// </summary>
public sealed class WorkerFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<HttpOptions>
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
