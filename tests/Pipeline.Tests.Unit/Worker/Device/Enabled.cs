using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Inference.Contract;
using Pipeline.Worker.Device;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Tests.Unit.Worker.Device;

/// <summary>The worker's model list over models the test made, registered as a model's own folder registers it.</summary>
internal static class Enabled
{
    public static PipelineMetrics Metrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    public static EnabledModels Models(params IImageModel[] models) => new(
        models.Select(model => new ImageModelRegistration(model.Identity.ModelId, _ => true, _ => null, _ => model)),
        new ServiceCollection().BuildServiceProvider(),
        Metrics());
}
