using Pipeline.ServiceDefaults.Health;
using Pipeline.ServiceDefaults.Hosting;
using Pipeline.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Runtime;
using Pipeline.Worker.Hosting;

return await HostStartup.RunAsync("Pipeline.Worker", () =>
{
    // appsettings.json lives beside the binary, wherever the worker is started from.
    var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddWorkerHttp();
    builder.Services.AddPipelineWorker(builder.Configuration);
    var app = builder.Build();
    ReserveThreadsForPasses(app.Services.GetRequiredService<IOptions<InferenceOptions>>().Value.EffectiveConcurrentPasses);
    app.MapHealthEndpoints();
    app.MapMetricsEndpoint();
    return app;
}).ConfigureAwait(false);

// A forward pass holds a pool thread inside ONNX Runtime for its whole length. Spare threads keep the consumers'
// continuations (insert, publish, ack) from waiting on the pool's starvation heuristic meanwhile. Process-wide, so here.
static void ReserveThreadsForPasses(int passes)
{
    ThreadPool.GetMinThreads(out var workerThreads, out var ioThreads);
    ThreadPool.SetMinThreads(Math.Max(workerThreads, Environment.ProcessorCount + passes), ioThreads);
}
