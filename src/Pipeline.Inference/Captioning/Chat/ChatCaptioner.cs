using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI.Chat;
using Pipeline.Contracts;
using Pipeline.Inference.Contract;
using Polly;
using Polly.Retry;

namespace Pipeline.Inference.Captioning.Chat;

/// <summary>
/// Describes images through an OpenAI-compatible chat-completions endpoint: one request per group of up to
/// <see cref="ChatCaptionerOptions.MaxImagesPerRequest"/> images with the same task, each answered with an alt-text
/// (and the task's answer) in one JSON reply. A request that fails because of some image in it (a content filter,
/// a refusal, running out of tokens, an image the provider rejects) is repeated image by image, so that only the
/// image at fault fails, with its own reason. Throttling and server errors are retried after Retry-After.
/// </summary>
public sealed partial class ChatCaptioner : IImageModel
{
    private static readonly HashSet<int> Transient = [408, 409, 429, 500, 502, 503, 504];
    private static readonly ResiliencePropertyKey<int> ImagesInRequest = new("pipeline.chat.images");

    private readonly ChatClient _client;
    private readonly ChatCaptionerOptions _options;
    private readonly SemaphoreSlim _requests;
    private readonly TimeProvider _time;
    private readonly ILogger<ChatCaptioner> _logger;
    private readonly ResiliencePipeline _retries;

    public ChatCaptioner(IOptions<ChatCaptionerOptions> options, TimeProvider time, ILogger<ChatCaptioner> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _client = ChatClientFactory.Create(_options);
        _requests = new SemaphoreSlim(_options.MaxConcurrentRequests);
        (_time, _logger) = (time, logger);
        _retries = Retries(_options, time, logger);
    }

    public ModelIdentity Identity => _options.Identity;

    public ModelRole Role => ModelRole.Captioner;

    /// <summary>The picture as a JPEG: re-encoding keeps requests small and sends only formats every provider reads.</summary>
    public ImageNeed Needs => new JpegNeed(_options.ImageMaxSide);

    /// <summary>A remote call of seconds must not hold the local models idle.</summary>
    public bool IsRemote => true;

    public IReadOnlyCollection<string> TaskKinds => ChatTaskPrompt.Kinds;

    public string Settings => $"OpenAI-compatible chat completions at {Identity.Source}, up to {_options.MaxImagesPerRequest} images per request";

    public async Task<IReadOnlyList<ModelResult>> RunAsync(IReadOnlyList<ModelInputs> images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        var pictures = images.Select(i => new ChatImage(i.ImageId, i.Jpeg(_options.ImageMaxSide), i.Task)).ToList();
        return [.. await DescribeAsync(pictures, cancellationToken).ConfigureAwait(false)];
    }

    /// <returns>One outcome per image, in input order.</returns>
    public async Task<IReadOnlyList<ChatOutcome>> DescribeAsync(IReadOnlyList<ChatImage> images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        var outcomes = new ChatOutcome[images.Count];
        var spent = new TokenUsage[images.Count];
        Array.Fill(spent, new TokenUsage(0, 0));
        var requests = Enumerable.Range(0, images.Count)
            .GroupBy(i => TaskKey(images[i].Task), StringComparer.Ordinal)
            .SelectMany(group => group.Chunk(_options.MaxImagesPerRequest))
            .Select(chunk => DescribeGroupAsync(images, chunk, outcomes, spent, cancellationToken));
        await Task.WhenAll(requests).ConfigureAwait(false);
        return outcomes;
    }

    public void Dispose() => _requests.Dispose();

    private async Task DescribeGroupAsync(
        IReadOnlyList<ChatImage> all, int[] indices, ChatOutcome[] outcomes, TokenUsage[] spent, CancellationToken cancellationToken)
    {
        var images = indices.Select(i => all[i]).ToList();
        var task = images[0].Task;
        var body = ChatRequestBody.Create(_options, task, images);
        var (reply, refusal) = await SendAsync(body, images.Count, cancellationToken).ConfigureAwait(false);

        var unanswered = new List<int>();
        if (refusal is not null)
        {
            RecordRefusal(refusal, indices, outcomes, unanswered);
        }
        else
        {
            RecordReply(reply!, task, indices, outcomes, spent, unanswered);
        }

        if (unanswered.Count == 0)
        {
            return;
        }

        // Something in the request spoiled it for the rest: ask again for each unanswered image alone.
        var cause = refusal?.Describe() ?? reply!.FinishReason ?? "no answer";
        LogSplitting(_logger, indices.Length, unanswered.Count, cause);
        await Task.WhenAll(unanswered.Select(i => DescribeGroupAsync(all, [i], outcomes, spent, cancellationToken))).ConfigureAwait(false);
    }

    private static void RecordRefusal(Refusal refusal, int[] indices, ChatOutcome[] outcomes, List<int> unanswered)
    {
        if (indices.Length > 1)
        {
            unanswered.AddRange(indices);
            return;
        }

        outcomes[indices[0]] = refusal.IsContentFilter
            ? ChatOutcome.Rejected(FailureReasons.ContentFiltered, $"The captioning provider's content filter blocked this image ({refusal.Describe()}).")
            : ChatOutcome.Rejected(FailureReasons.CaptionFailed, $"The captioning provider refused this image: {refusal.Describe()}.");
    }

    private void RecordReply(ChatReply reply, CaptionTask? task, int[] indices, ChatOutcome[] outcomes, TokenUsage[] spent, List<int> unanswered)
    {
        var answers = reply.FinishReason is "content_filter" || reply.Refusal is not null
            ? new Dictionary<int, (string AltText, string? Answer)>()
            : reply.Answers(indices.Length);
        Charge(reply.Usage, indices, answers, spent);

        for (var position = 0; position < indices.Length; position++)
        {
            var image = indices[position];
            if (answers.TryGetValue(position, out var answer) && Fits(task, answer.Answer))
            {
                outcomes[image] = ChatOutcome.Described(new ChatDescription(answer.AltText, task is null || task.Kind == CaptionTaskKinds.Caption ? null : answer.Answer, spent[image]));
            }
            else if (indices.Length > 1)
            {
                unanswered.Add(image);
            }
            else
            {
                outcomes[image] = Unanswered(reply);
            }
        }

        var costPerImage = Cost(reply.Usage) / indices.Length;
        LogRequest(_logger, indices.Length, reply.FinishReason ?? "none", reply.Usage.InputTokens, reply.Usage.OutputTokens, costPerImage);
    }

    private ChatOutcome Unanswered(ChatReply reply) => reply switch
    {
        { FinishReason: "content_filter" } => ChatOutcome.Rejected(
            FailureReasons.ContentFiltered, "The captioning provider's content filter withheld the description of this image (finish_reason content_filter)."),
        { Refusal: { } refusal } => ChatOutcome.Rejected(FailureReasons.CaptionRefused, $"The captioning model declined to describe this image: {refusal}"),
        { FinishReason: "length" } => ChatOutcome.Rejected(
            FailureReasons.CaptionTruncated,
            $"The captioning model stopped at {_options.MaxTokensPerImage} tokens before finishing this image's answer (raise Captioning:OpenAI:MaxTokensPerImage)."),
        _ => ChatOutcome.Rejected(FailureReasons.CaptionFailed, "The captioning model's reply held no readable answer for this image."),
    };

    /// <summary>A classify answer must be one of the labels offered (JSON mode and plain prompts cannot enforce it).</summary>
    private static bool Fits(CaptionTask? task, string? answer) => task?.Kind switch
    {
        CaptionTaskKinds.Classify => answer is not null && task.Labels!.Contains(answer, StringComparer.Ordinal),
        CaptionTaskKinds.Caption or null => true,
        _ => answer is not null,
    };

    /// <summary>
    /// Shares a request's tokens among its images: prompt tokens evenly (the images dominate them and cost the same at
    /// one detail level), completion tokens by the length of each image's answer.
    /// </summary>
    private static void Charge(TokenUsage usage, int[] indices, IReadOnlyDictionary<int, (string AltText, string? Answer)> answers, TokenUsage[] spent)
    {
        var written = answers.Values.Sum(a => a.AltText.Length + (a.Answer?.Length ?? 0));
        for (var position = 0; position < indices.Length; position++)
        {
            var input = (usage.InputTokens / indices.Length) + (position < usage.InputTokens % indices.Length ? 1 : 0);
            var output = written == 0
                ? (usage.OutputTokens / indices.Length) + (position < usage.OutputTokens % indices.Length ? 1 : 0)
                : answers.TryGetValue(position, out var a) ? (int)Math.Round((double)usage.OutputTokens * (a.AltText.Length + (a.Answer?.Length ?? 0)) / written) : 0;
            var before = spent[indices[position]];
            spent[indices[position]] = new TokenUsage(before.InputTokens + input, before.OutputTokens + output);
        }
    }

    private double Cost(TokenUsage usage) =>
        ((usage.InputTokens * _options.InputPricePerMillionTokens) + (usage.OutputTokens * _options.OutputPricePerMillionTokens)) / 1_000_000;

    /// <summary>Sends one request, retrying throttling, server errors and timeouts; returns the reply or the provider's refusal of it.</summary>
    private async Task<(ChatReply? Reply, Refusal? Refusal)> SendAsync(BinaryData body, int images, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ImagesInRequest, images);
        var attempts = 0;
        try
        {
            return await _retries.ExecuteAsync(
                async attempt =>
                {
                    attempts++;
                    return await SendOnceAsync(body, attempt.CancellationToken).ConfigureAwait(false);
                },
                context).ConfigureAwait(false);
        }
        catch (TransientChatFailure e)
        {
            throw new CaptioningUnavailableException($"The captioning endpoint failed a request of {images} images {attempts} times; last: {e.Message.TrimEnd('.')}.", e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <exception cref="TransientChatFailure">Throttling, a server error, a timeout or a broken connection: worth another try.</exception>
    private async Task<(ChatReply? Reply, Refusal? Refusal)> SendOnceAsync(BinaryData body, CancellationToken cancellationToken)
    {
        await _requests.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
            var result = await _client.CompleteChatAsync(
                BinaryContent.Create(body),
                new RequestOptions { CancellationToken = timeout.Token, ErrorOptions = ClientErrorBehaviors.NoThrow }).ConfigureAwait(false);
            var response = result.GetRawResponse();
            if (response.Status is >= 200 and < 300)
            {
                return (ParseReply(response), null);
            }

            var refusal = Refusal.Read(response);
            if (response.Status is 401 or 403 or 404)
            {
                throw new CaptioningUnavailableException(
                    $"The captioning endpoint answered {refusal.Describe()}: check Captioning:OpenAI Endpoint, ApiKey, Model / AzureDeployment.");
            }

            return Transient.Contains(response.Status) ? throw new TransientChatFailure(refusal.Describe(), response) : (null, refusal);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientChatFailure($"no answer within {_options.TimeoutSeconds} s", null, e);
        }
        catch (Exception e) when (e is ClientResultException or HttpRequestException or IOException)
        {
            throw new TransientChatFailure(e.Message, null, e);
        }
        finally
        {
            _requests.Release();
        }
    }

    /// <summary>
    /// The one retry policy of a chat request (the SDK's own is off, <see cref="ChatClientFactory"/>): transient failures
    /// only, after the provider's Retry-After or a growing backoff, never longer than MaxRetryDelaySeconds.
    /// </summary>
    private static ResiliencePipeline Retries(ChatCaptionerOptions options, TimeProvider time, ILogger logger)
    {
        if (options.MaxRetries == 0)
        {
            return ResiliencePipeline.Empty;
        }

        var cap = TimeSpan.FromSeconds(options.MaxRetryDelaySeconds);
        return new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxRetries,
            ShouldHandle = new PredicateBuilder().Handle<TransientChatFailure>(),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                RetryDelay.For((args.Outcome.Exception as TransientChatFailure)?.Response, args.AttemptNumber, cap, time)),
            OnRetry = args =>
            {
                var (images, failure) = (args.Context.Properties.GetValue(ImagesInRequest, 0), args.Outcome.Exception?.Message ?? "");
                LogRetry(logger, images, failure, args.RetryDelay.TotalSeconds, args.AttemptNumber + 1, options.MaxRetries);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    private static ChatReply ParseReply(PipelineResponse response)
    {
        try
        {
            return ChatReply.Parse(response.Content);
        }
        catch (JsonException e)
        {
            throw new CaptioningUnavailableException($"The captioning endpoint's reply is not a chat completion: {e.Message}", e);
        }
    }

    private static string TaskKey(CaptionTask? task) => task is null
        ? CaptionTaskKinds.Caption
        : string.Join('\u001f', [task.Kind, task.Prompt ?? "", .. task.Labels ?? []]);

    /// <summary>A provider's error response: its status and, where the body has one, OpenAI's error code and message.</summary>
    private sealed record Refusal(int Status, string? Code, string? Message)
    {
        public bool IsContentFilter => Code is "content_filter" or "content_policy_violation" or "ResponsibleAIPolicyViolation";

        public string Describe() => string.Create(CultureInfo.InvariantCulture, $"HTTP {Status}{(Code is null ? "" : " " + Code)}{(Message is null ? "" : ": " + Message)}");

        public static Refusal Read(PipelineResponse response)
        {
            try
            {
                using var document = JsonDocument.Parse(response.Content);
                if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                {
                    return new Refusal(response.Status, ChatReply.StringProperty(error, "code"), ChatReply.StringProperty(error, "message"));
                }
            }
            catch (JsonException)
            {
                // Proxies answer errors in HTML or plain text.
            }

            return new Refusal(response.Status, null, response.ReasonPhrase);
        }
    }

    /// <summary>A request that may succeed when sent again; its response, when there was one, carries the provider's Retry-After.</summary>
    private sealed class TransientChatFailure(string message, PipelineResponse? response, Exception? inner = null) : Exception(message, inner)
    {
        public PipelineResponse? Response { get; } = response;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Chat request of {Images} images finished ({FinishReason}): {InputTokens} prompt + {OutputTokens} completion tokens, about {CostPerImage:0.######} per image")]
    private static partial void LogRequest(ILogger logger, int images, string finishReason, int inputTokens, int outputTokens, double costPerImage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat request of {Images} images failed ({Failure}); retry {Attempt} of {MaxRetries} in {DelaySeconds:0.0} s")]
    private static partial void LogRetry(ILogger logger, int images, string failure, double delaySeconds, int attempt, int maxRetries);

    [LoggerMessage(Level = LogLevel.Information, Message = "Chat request of {Images} images left {Unanswered} unanswered ({Cause}); asking for each alone")]
    private static partial void LogSplitting(ILogger logger, int images, int unanswered, string cause);
}
