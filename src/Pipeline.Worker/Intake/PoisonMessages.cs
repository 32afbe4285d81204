using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Messaging;

namespace Pipeline.Worker.Intake;

/// <summary>
/// Parks a copy of each message whose image failed with <c>worker-crashed</c> in <c>&lt;queue&gt;_error</c>, with the
/// headers <c>pipeline status</c> and <c>pipeline redrive</c> read (<see cref="ParkedMessages"/>): its row and event are
/// written already; the copy keeps what was sent, for the person who looks into it.
/// </summary>
public sealed class PoisonMessages(IOptions<BatchingOptions> options, TimeProvider time)
{
    private readonly Uri _error = new($"queue:{InputQueues.Error(options.Value.QueueName)}");

    public async Task ParkAsync(IReadOnlyList<ConsumeContext<ImageUploaded>> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        var error = await messages[0].GetSendEndpoint(_error).ConfigureAwait(false);
        foreach (var message in messages)
        {
            var crashes = CrashCount.Of(message);
            await error.Send(message.Message, send =>
            {
                send.Headers.Set(ParkedMessages.ReasonHeader, ParkedMessages.WorkerCrashed);
                send.Headers.Set(ParkedMessages.MessageHeader, CrashCount.WorkerCrashed(crashes).Message);
                send.Headers.Set("MT-Fault-Timestamp", time.GetUtcNow().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            }, cancellationToken).ConfigureAwait(false);
        }
    }
}
