using MassTransit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Pipeline.Api.BlobEvents;
using Pipeline.Api.Describing;
using Pipeline.Api.Images;
using Pipeline.Api.Owners;
using Pipeline.Messaging;
using Pipeline.Api.Uploads;
using Pipeline.Imaging;
using Pipeline.Search;
using Pipeline.ServiceDefaults.Blobs;
using Pipeline.ServiceDefaults.Bus;
using Pipeline.ServiceDefaults.Health;
using Pipeline.ServiceDefaults.Telemetry;
using Pipeline.Sources.Watching;
using Pipeline.Storage;

namespace Pipeline.Api.Hosting;

public static class ApiServiceCollectionExtensions
{
    /// <summary>Everything the API runs, configured from <paramref name="configuration"/> and validated at start-up.</summary>
    public static IServiceCollection AddPipelineApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        services.AddOptions<OwnerOptions>().Bind(configuration.GetSection(OwnerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OwnerOptions>, OwnerOptionsValidator>();
        services.AddOptions<ThumbnailOptions>().Bind(configuration.GetSection(ThumbnailOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ThumbnailOptions>, ThumbnailOptionsValidator>();
        services.AddOptions<ImagingOptions>().Bind(configuration.GetSection(ImagingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BlobWatchOptions>().Bind(configuration.GetSection(BlobWatchOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<BlobWatchOptions>, BlobWatchOptionsValidator>();
        services.AddOptions<BlobEventsOptions>().Bind(configuration.GetSection(BlobEventsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BlobEventsOptions>, BlobEventsOptionsValidator>();

        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, api) =>
            kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBytes);
        services.AddOptions<FormOptions>().Configure<IOptions<ApiOptions>>((form, api) =>
            form.MultipartBodyLengthLimit = api.Value.MaxRequestBytes);

        services.AddProblemDetails();
        services.AddExceptionHandler<RequestProblemHandler>();
        services.AddOpenApi();
        services.AddAuthentication(OwnerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, OwnerAuthenticationHandler>(OwnerAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();

        services.AddSingleton(TimeProvider.System);
        services.AddHostTelemetry(configuration, new HostInstrumentation("pipeline-api") { Meters = [ApiMetrics.MeterName], TracesRequests = true });
        services.AddPipelineStorage(configuration.RequiredConnectionString("Postgres"));
        services.AddImageSearch(configuration);
        services.AddBlobStore(configuration.RequiredConnectionString("Blobs"));
        services.AddHealthChecks().AddCheck<BlobStoreHealthCheck>("blobs", tags: [HealthEndpoints.ReadyTag]);

        services.AddSingleton<ImageBlobs>();
        services.AddSingleton<UploadReader>();
        services.AddSingleton<ImageIntake>();
        services.AddSingleton<ImageCatalog>();
        services.AddSingleton<ApiMetrics>();
        services.AddSingleton<Thumbnails>();
        services.AddSingleton<ThumbnailBlobs>();
        services.AddSingleton<ThumbnailRenders>();
        services.AddSingleton<ResultWaiters>();
        services.AddSingleton<Describer>();
        services.AddSingleton<BlobOwners>();
        services.AddSingleton<BlobEventAnnouncer>();

        services.AddSingleton(provider => new InputQueueEndpoint(
            provider.GetRequiredService<RabbitMqConnection>(), provider.GetRequiredService<IOptions<ApiOptions>>().Value.QueueName));
        services.AddPipelineBus(
            configuration.RequiredConnectionString("RabbitMq"),
            bus => bus.AddConsumer<ResultEventsConsumer>(),
            // A queue of this instance's own, removed when it stops: every instance hears every result.
            (context, rabbitMq) => rabbitMq.ReceiveEndpoint(new TemporaryEndpointDefinition(), endpoint => endpoint.ConfigureConsumer<ResultEventsConsumer>(context)));

        return services;
    }
}
