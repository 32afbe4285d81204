using Pipeline.Worker.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddPipelineWorker(builder.Configuration);
await builder.Build().RunAsync().ConfigureAwait(false);
