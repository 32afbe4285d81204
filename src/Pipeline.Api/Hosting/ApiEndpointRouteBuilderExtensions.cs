using Microsoft.Extensions.Options;
using Pipeline.Api.BlobEvents;
using Pipeline.Api.Describing;
using Pipeline.Api.Images;
using Pipeline.Api.Search;
using Pipeline.Api.Settings;
using Pipeline.ServiceDefaults.Health;
using Pipeline.ServiceDefaults.Telemetry;

namespace Pipeline.Api.Hosting;

public static class ApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// The middleware and every endpoint: /v1 (owner required), the blob-events webhook when enabled, health, metrics
    /// for Prometheus, the OpenAPI document and the search page.
    /// </summary>
    public static WebApplication MapPipelineApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();

        var v1 = app.MapGroup("/v1").RequireAuthorization();
        v1.MapImageEndpoints();
        v1.MapDescribeEndpoints();
        v1.MapSearchEndpoints();
        v1.MapDownscaleEndpoints();

        // Outside the owners' group: Event Grid authenticates with BlobEvents:Key, and the blob path names the owner.
        if (app.Services.GetRequiredService<IOptions<BlobEventsOptions>>().Value.Enabled)
        {
            app.MapBlobEventEndpoints();
        }

        return app;
    }
}
