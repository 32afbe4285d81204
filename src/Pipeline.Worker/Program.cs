using Pipeline.ServiceDefaults.Health;
using Pipeline.ServiceDefaults.Hosting;
using Pipeline.ServiceDefaults.Telemetry;
using Pipeline.Worker.Hosting;

return await HostStartup.RunAsync("Pipeline.Worker", () =>
{
    // appsettings.json lives beside the binary, wherever the worker is started from.
    var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddWorkerHttp();
    builder.Services.AddPipelineWorker(builder.Configuration);
    var app = builder.Build();
    app.MapHealthEndpoints();
    app.MapMetricsEndpoint();
    return app;
}).ConfigureAwait(false);
