using Pipeline.Cli.Queues;
using Pipeline.Messaging;
using static Pipeline.Tests.Unit.Queues.ParkedHeaders;

namespace Pipeline.Tests.Unit.Queues;

public sealed class ParkedReasonTests
{
    private const string NpgsqlStack = """
           at System.Net.Sockets.Socket.AwaitableSocketAsyncEventArgs.ThrowException(SocketError error, CancellationToken cancellationToken)
           at System.Net.Sockets.Socket.AwaitableSocketAsyncEventArgs.System.Threading.Tasks.Sources.IValueTaskSource.GetResult(Int16 token)
        --- End of stack trace from previous location ---
           at Npgsql.Internal.NpgsqlConnector.ConnectAsync(NpgsqlTimeout timeout, CancellationToken cancellationToken)
           at Pipeline.Storage.ImageResultStore.FindAsync(IReadOnlyList`1 ids, CancellationToken cancellationToken)
        """;

    private const string AzureRetryStack = """
           at Azure.Core.Pipeline.RetryPolicy.ProcessAsync(HttpMessage message, ReadOnlyMemory`1 pipeline, Boolean async)
           at Azure.Storage.Blobs.BlobRestClient.DownloadAsync(String snapshot, CancellationToken cancellationToken)
           at Pipeline.Sources.BlobImageFetcher.FetchAsync(ImageSource source, CancellationToken cancellationToken)
        """;

    [Fact]
    public void ADatabaseOutageNamesTheDatabaseFromTheStackAndMayRetry()
    {
        var reason = ParkedReason.Of(BatchFault("System.Net.Sockets.SocketException", NpgsqlStack));

        Assert.Equal(new ParkedReason("database unreachable", "System.Net.Sockets.SocketException", MayRetry: true), reason);
        Assert.Equal("database unreachable (System.Net.Sockets.SocketException)", reason.Label);
    }

    [Theory]
    [InlineData("Npgsql.NpgsqlException", "", "database unreachable")]
    [InlineData("Npgsql.PostgresException", "", "database error")]
    [InlineData("System.IO.EndOfStreamException", NpgsqlStack, "database unreachable")]
    [InlineData("System.TimeoutException", NpgsqlStack, "database timed out")]
    [InlineData("Azure.RequestFailedException", "", "blob store error")]
    [InlineData("System.AggregateException", AzureRetryStack, "blob store unreachable")]
    [InlineData("System.Net.Http.HttpRequestException", AzureRetryStack, "blob store unreachable")]
    [InlineData("RabbitMQ.Client.Exceptions.AlreadyClosedException", "", "broker unreachable")]
    [InlineData("System.IO.IOException", "", "service unreachable")]
    public void InfrastructureFaultsMayRetry(string exceptionType, string stackTrace, string kind)
    {
        Assert.Equal(new ParkedReason(kind, exceptionType, MayRetry: true), ParkedReason.Of(BatchFault(exceptionType, stackTrace)));
    }

    [Theory]
    [InlineData("System.Text.Json.JsonException", "The message has no imageId: there is nothing to key a result by.")]
    [InlineData("System.Text.Json.JsonException", "The message's imageId has 201 characters; at most 200 are allowed.")]
    [InlineData("System.Text.Json.JsonException", "The message's imageId contains control characters.")]
    [InlineData("System.Text.Json.JsonReaderException", "'this is not JSON {' is an invalid JSON literal. Expected the literal 'true'.")]
    public void AMessageRefusedWhileReadIsNotKeyableAndFailsAgain(string exceptionType, string message)
    {
        Assert.Equal(new ParkedReason("not keyable", exceptionType, MayRetry: false), ParkedReason.Of(RefusedWhileRead(exceptionType, message)));
    }

    [Theory]
    [InlineData("System.InvalidOperationException", "")]
    [InlineData("System.NullReferenceException", NpgsqlStack)]
    [InlineData("System.AggregateException", "   at Pipeline.Worker.Batches.BatchProcessor.ProcessAsync()")]
    [InlineData("System.Text.Json.JsonException", "")]
    public void AFaultNotKnownToBeTheInfrastructuresIsNotRetried(string exceptionType, string stackTrace)
    {
        Assert.Equal(new ParkedReason("unexpected fault", exceptionType, MayRetry: false), ParkedReason.Of(BatchFault(exceptionType, stackTrace)));
    }

    [Fact]
    public void TheWorkersOwnReasonComesFirstAndFailsAgain()
    {
        var headers = BatchFault("System.Net.Sockets.SocketException", NpgsqlStack);
        headers[ParkedMessages.ReasonHeader] = Bytes(ParkedMessages.WorkerCrashed);
        headers[ParkedMessages.MessageHeader] = Bytes("Describing the image stopped the worker 3 times.");

        Assert.Equal(new ParkedReason("worker-crashed", null, MayRetry: false), ParkedReason.Of(headers));
    }

    [Fact]
    public void AMessageDeadLetteredAtTheDeliveryLimitFailsAgain()
    {
        var reason = ParkedReason.Of(DeadLettered("delivery_limit", 1_796_642_951));

        Assert.Equal(new ParkedReason("delivery limit", null, MayRetry: false), reason);
        Assert.Equal("delivery limit", reason.Label);
    }

    [Fact]
    public void AMessageDeadLetteredForAnotherReasonSaysWhichAndIsNotRetried()
    {
        Assert.Equal("dead-lettered (rejected)", ParkedReason.Of(DeadLettered("rejected", 1_796_642_951)).Label);
        Assert.False(ParkedReason.Of(DeadLettered("rejected", 1_796_642_951)).MayRetry);
    }

    [Fact]
    public void AMessageWithoutARecordedReasonIsNotRetried()
    {
        Assert.Equal(new ParkedReason("no reason recorded", null, MayRetry: false), ParkedReason.Of(null));
        Assert.Equal(new ParkedReason("no reason recorded", null, MayRetry: false), ParkedReason.Of(new Dictionary<string, object?> { ["MT-Reason"] = Bytes("fault") }));
    }
}
