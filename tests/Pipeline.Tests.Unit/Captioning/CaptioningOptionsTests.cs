using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Inference;
using Pipeline.Inference.Captioning;
using Pipeline.Inference.Captioning.Chat;
using Pipeline.Inference.Contract;

namespace Pipeline.Tests.Unit.Captioning;

/// <summary>Captioning:Backend alone chooses the captioner; without it the ONNX one of Models:Captioner writes.</summary>
public sealed class CaptioningOptionsTests
{
    [Theory]
    [InlineData(null, CaptioningBackend.Onnx)]
    [InlineData("Onnx", CaptioningBackend.Onnx)]
    [InlineData("OpenAI", CaptioningBackend.OpenAI)]
    [InlineData("Florence", CaptioningBackend.Florence)]
    public void TheBackendChoosesTheCaptioner(string? backend, CaptioningBackend chosen)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Captioning:Backend"] = backend, ["Models:Captioner:Path"] = "models/captioner" })
            .Build();

        Assert.Equal(chosen, CaptioningOptions.BackendIn(configuration));
    }

    [Fact]
    public void AChatWorkerWantsOnlyTheChatCaptionerAndIgnoresACaptionerFolderLeftInItsSettings()
    {
        using var provider = Models("OpenAI");

        var wanted = provider.GetServices<ImageModelRegistration>().Where(model => model.IsWanted(provider)).Select(model => model.Name);

        Assert.Equal(["captioner"], wanted);
        Assert.Equal("gpt-test", provider.GetRequiredService<IOptions<ChatCaptionerOptions>>().Value.Model);
    }

    [Fact]
    public void AnOnnxWorkerRefusesTheMissingCaptionerFolderWithOneLineNamingTheSetting()
    {
        using var provider = Models("Onnx");

        var refused = Assert.Throws<OptionsValidationException>(
            () => provider.GetServices<ImageModelRegistration>().Where(model => model.IsWanted(provider)).ToList());

        Assert.StartsWith("Models:Captioner:Path: no model folder at /nonexistent/captioner", refused.Message, StringComparison.Ordinal);
        Assert.Empty(provider.GetServices<IValidateOptions<ChatCaptionerOptions>>());
    }

    private static ServiceProvider Models(string backend)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Captioning:Backend"] = backend,
                ["Captioning:OpenAI:Model"] = "gpt-test",
                ["Captioning:OpenAI:ApiKey"] = "key",
                ["Models:Captioner:Path"] = "/nonexistent/captioner",
            })
            .Build();
        return new ServiceCollection().AddLogging().AddImageModels(configuration).BuildServiceProvider();
    }
}
