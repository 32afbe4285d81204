using Pipeline.Inference.Contract;

namespace Pipeline.Tests.Unit.Worker.Device;

/// <summary>A model behind the contract whose batched run is the test's: for the worker's core without ONNX sessions.</summary>
internal sealed class FakeModel(
    ModelRole role,
    Func<IReadOnlyList<ModelInputs>, CancellationToken, Task<IReadOnlyList<ModelResult>>> run,
    ImageNeed? needs = null) : IImageModel
{
    public ModelIdentity Identity { get; init; } = new($"fake-{role.Stage}", IsStandIn: false, "test");

    public ModelRole Role => role;

    public ImageNeed Needs { get; } = needs ?? PictureNeed.Instance;

    public bool IsRemote { get; init; }

    public IReadOnlyCollection<string> TaskKinds { get; init; } = [];

    public string Settings => "fake";

    public List<int> PassSizes { get; } = [];

    public Task<IReadOnlyList<ModelResult>> RunAsync(IReadOnlyList<ModelInputs> images, CancellationToken cancellationToken)
    {
        lock (PassSizes)
        {
            PassSizes.Add(images.Count);
        }

        return run(images, cancellationToken);
    }

    public void Dispose()
    {
    }
}
