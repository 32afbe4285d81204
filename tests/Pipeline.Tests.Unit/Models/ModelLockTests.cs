using Pipeline.Inference.Runtime;

namespace Pipeline.Tests.Unit.Models;

/// <summary>The lock file that makes the worker refuse a model folder whose files are missing or changed.</summary>
public sealed class ModelLockTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task IntactFolderVerifies()
    {
        var modelLock = await LockAsync();

        await modelLock.VerifyAsync(_folder.Path, TestContext.Current.CancellationToken);

        var reread = ModelLock.TryRead(_folder.Path)!;
        Assert.Equal((modelLock.Id, modelLock.Source), (reread.Id, reread.Source));
        Assert.Equal(modelLock.Files, reread.Files);
    }

    [Fact]
    public async Task ChangedFileIsRefusedNamingTheFileAndTheFix()
    {
        var modelLock = await LockAsync();
        await File.AppendAllTextAsync(_folder.Sub("onnx/model.onnx"), "!", TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ModelNotFoundException>(() => modelLock.VerifyAsync(_folder.Path, TestContext.Current.CancellationToken));

        Assert.Contains("onnx/model.onnx", error.Message, StringComparison.Ordinal);
        Assert.Contains("pipeline models fetch clip-test", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFileIsRefused()
    {
        var modelLock = await LockAsync();
        File.Delete(_folder.Sub("vocab.json"));

        var error = await Assert.ThrowsAsync<ModelNotFoundException>(() => modelLock.VerifyAsync(_folder.Path, TestContext.Current.CancellationToken));

        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("vocab.json", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private async Task<ModelLock> LockAsync()
    {
        Directory.CreateDirectory(_folder.Sub("onnx"));
        await File.WriteAllTextAsync(_folder.Sub("onnx/model.onnx"), "weights", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(_folder.Sub("vocab.json"), "{}", TestContext.Current.CancellationToken);
        var files = new List<LockedFile>();
        foreach (var path in new[] { "onnx/model.onnx", "vocab.json" })
        {
            files.Add(new LockedFile(path, await ModelLock.Sha256Async(_folder.Sub(path), TestContext.Current.CancellationToken), new FileInfo(_folder.Sub(path)).Length));
        }

        var modelLock = new ModelLock("clip-test", "huggingface:test/clip@main", files);
        modelLock.Write(_folder.Path);
        return modelLock;
    }
}
