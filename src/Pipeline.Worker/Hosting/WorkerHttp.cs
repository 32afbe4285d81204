namespace Pipeline.Worker.Hosting;

/// <summary>
/// The worker's small HTTP server (<see cref="HttpOptions"/>): it serves only the health endpoints and the metrics
/// that every host maps alike.
/// </summary>
public static class WorkerHttp
{
    public static WebApplicationBuilder AddWorkerHttp(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(HttpOptions.Section);
        builder.Services.AddOptions<HttpOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        builder.WebHost.UseUrls((section.Get<HttpOptions>() ?? new HttpOptions()).Urls);
        return builder;
    }
}
