using Pipeline.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddPipelineApi(builder.Configuration);
var app = builder.Build();
app.MapPipelineApi();
await app.RunAsync().ConfigureAwait(false);
