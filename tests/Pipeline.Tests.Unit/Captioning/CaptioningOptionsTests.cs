using Microsoft.Extensions.Configuration;
using Pipeline.Inference.Captioning;

namespace Pipeline.Tests.Unit.Captioning;

/// <summary>Captioning:Backend alone chooses the chat captioner; without it the ONNX one of Models:Captioner writes.</summary>
public sealed class CaptioningOptionsTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("Onnx", false)]
    [InlineData("OpenAI", true)]
    public void TheBackendChoosesTheChatCaptioner(string? backend, bool chat)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Captioning:Backend"] = backend, ["Models:Captioner:Path"] = "models/captioner" })
            .Build();

        Assert.Equal(chat, CaptioningOptions.ChatIn(configuration));
    }
}
