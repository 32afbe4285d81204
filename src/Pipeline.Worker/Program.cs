using Pipeline.Worker.Hosting;

// appsettings.json lives beside the binary, wherever the worker is started from.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddWorkerHttp();
builder.Services.AddPipelineWorker(builder.Configuration);
var app = builder.Build();
app.MapWorkerHealth();
app.MapWorkerMetrics();
await app.RunAsync().ConfigureAwait(false);
