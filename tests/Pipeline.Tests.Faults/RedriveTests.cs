using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Tests.Faults.Infrastructure;

namespace Pipeline.Tests.Faults;

/// <summary>
/// Messages whose batch kept failing (here: the database was unreachable) land in <c>_error</c> after their retries,
/// with the exception recorded; once the fault is fixed, <c>pipeline redrive</c> moves them back and they finish.
/// </summary>
public sealed class RedriveTests(FaultServices services)
{
    private const int Images = 10;

    [Fact]
    public async Task ParkedMessagesCarryTheirExceptionAndRedriveBringsThemBack()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await FaultRun.StartAsync(services, "redrive", cancellationToken);
        var messages = Enumerable.Range(0, Images)
            .Select(i => new ImageUploaded($"redrive-{i}", "owner-redrive", ImageSource.Inline(Pictures.Encode(40, 30, i))))
            .ToList();

        // Nothing listens on this port: every batch fails to reach the database, is retried twice, then parked.
        var broken = run.StartWorker(new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = $"Host=127.0.0.1;Port={TcpPorts.Free()};Username=postgres;Password=x;Database=none",
            ["Database__MigrateOnStartup"] = "false",
            ["Batching__RetryLimit"] = "2",
            ["Batching__RetryMinDelayMs"] = "50",
            ["Batching__RetryMaxDelayMs"] = "200",
        });
        await run.PublishAsync(messages.Select(Broker.Json), cancellationToken);
        var errorQueue = run.Queue + "_error";
        await WaitForDepthAsync(run, errorQueue, Images, cancellationToken);
        await broken.TerminateAsync(cancellationToken);
        Assert.Equal(0, await broken.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken));

        var parked = await Broker.PeekAsync(run.Rabbit, errorQueue, cancellationToken);
        // MassTransit records the innermost exception (the refused socket) and the stack through Npgsql.
        Assert.Equal("System.Net.Sockets.SocketException", parked.Header("MT-Fault-ExceptionType"));
        Assert.False(string.IsNullOrWhiteSpace(parked.Header("MT-Fault-Message")));
        Assert.Contains("Npgsql", parked.Header("MT-Fault-StackTrace"), StringComparison.Ordinal);
        Assert.Equal("2", parked.Header("MT-Fault-RetryCount"));
        Assert.Empty(run.Events.ByImage);

        run.StartWorker();
        var some = await RedriveAsync(run, ["--queue", run.Queue, "--limit", "4"], cancellationToken);
        Assert.Contains($"Moved 4 message(s) from {errorQueue} to {run.Queue}; 6 left", some, StringComparison.Ordinal);
        var rest = await RedriveAsync(run, ["--queue", run.Queue], cancellationToken);
        Assert.Contains($"Moved 6 message(s) from {errorQueue} to {run.Queue}; 0 left", rest, StringComparison.Ordinal);

        var ids = messages.Select(m => m.ImageId).ToList();
        await run.Events.WaitForAllAsync(ids, TimeSpan.FromSeconds(120), cancellationToken);
        Completeness.AssertEveryImageFinishedOnce(ids, await run.RowsAsync(cancellationToken), run.Events, withCaptions: true);
        Assert.Equal(0u, await Broker.ReadyCountAsync(run.Rabbit, errorQueue, cancellationToken));
    }

    [Fact]
    public async Task RedriveOfAQueueThatDoesNotExistSaysSoAndFails()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await FaultRun.StartAsync(services, "redrive-none", cancellationToken);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RedriveAsync(run, ["--queue", "no-such-queue"], cancellationToken));

        Assert.Contains("exited with 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("No queue 'no-such-queue' or 'no-such-queue_error'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The CLI as an operator runs it, reading the broker's address from the environment.</summary>
    private async Task<string> RedriveAsync(FaultRun run, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[FaultServices.CliDll, "redrive", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ConnectionStrings__RabbitMq"] = services.RabbitMq.ConnectionString;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken) + await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"pipeline redrive exited with {process.ExitCode}: {output}");
    }

    private static async Task WaitForDepthAsync(FaultRun run, string queue, int depth, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (await Broker.ReadyCountAsync(run.Rabbit, queue, cancellationToken) < depth)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"fewer than {depth} messages reached {queue} in 60 s");
            await Task.Delay(200, cancellationToken);
        }
    }
}
