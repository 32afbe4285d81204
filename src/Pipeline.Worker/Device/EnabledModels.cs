using Pipeline.Inference.Contract;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Device;

/// <summary>
/// The models the configuration enables, loaded when first resolved (by <c>StartupChecks</c>, at start-up; each load's
/// time is a metric), in the order a pass runs them. It owns them: their ONNX sessions and clients go with it.
/// </summary>
public sealed class EnabledModels : IDisposable
{
    private readonly List<IImageModel> _models = [];

    public EnabledModels(IEnumerable<ImageModelRegistration> registrations, IServiceProvider services, PipelineMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        ArgumentNullException.ThrowIfNull(metrics);
        try
        {
            foreach (var registration in registrations.Where(r => r.IsWanted(services)))
            {
                _models.Add(metrics.TimeModelLoad(registration.Name, () => registration.Load(services)));
            }

            if (_models.GroupBy(m => m.Role).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw new InvalidOperationException(
                    $"Two models fill the {twice.Key} role ({string.Join(", ", twice.Select(m => m.Identity.ModelId))}); enable one of them.");
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        _models.Sort((a, b) => RoleOrder(a).CompareTo(RoleOrder(b)));
        Needs = [.. _models.Select(m => m.Needs).Distinct()];
    }

    /// <summary>In the order a pass runs them (<see cref="ModelRole.All"/>).</summary>
    public IReadOnlyList<IImageModel> All => _models;

    /// <summary>What decoding prepares for every image: each distinct need once.</summary>
    public IReadOnlyList<ImageNeed> Needs { get; }

    /// <summary>Whether some model answers <paramref name="taskKind"/> besides the plain caption.</summary>
    public bool Answer(string taskKind) => _models.Any(m => m.TaskKinds.Contains(taskKind, StringComparer.Ordinal));

    public IImageModel? For(ModelRole role) => _models.FirstOrDefault(m => m.Role == role);

    public void Dispose()
    {
        foreach (var model in _models)
        {
            model.Dispose();
        }

        _models.Clear();
    }

    private static int RoleOrder(IImageModel model) => ModelRole.All.ToList().IndexOf(model.Role);
}
