using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Pipeline.Api.Hosting;

namespace Pipeline.Tests.Api.Infrastructure;

/// <summary>
/// The real API (its own Program and service registration) with the settings of one test. The type argument only
/// names the API's assembly: both the API and the worker have a top-level <c>Program</c>.
/// </summary>
public sealed class ApiFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<ApiOptions>
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
