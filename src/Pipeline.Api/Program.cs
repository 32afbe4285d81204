using Pipeline.Api.Hosting;
using Pipeline.ServiceDefaults.Hosting;

return await HostStartup.RunAsync("Pipeline.Api", () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.Services.AddPipelineApi(builder.Configuration);
    var app = builder.Build();
    app.MapPipelineApi();
    return app;
}).ConfigureAwait(false);
