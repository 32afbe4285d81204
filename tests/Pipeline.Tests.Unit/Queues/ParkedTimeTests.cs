using Pipeline.Cli.Queues;
using static Pipeline.Tests.Unit.Queues.ParkedHeaders;

namespace Pipeline.Tests.Unit.Queues;

public sealed class ParkedTimeTests
{
    [Fact]
    public void AFaultIsParkedWhenMassTransitStampedIt()
    {
        var parked = ParkedTime.Of(BatchFault("System.Net.Sockets.SocketException"));

        Assert.Equal(new DateTimeOffset(2026, 12, 7, 11, 29, 8, TimeSpan.Zero).AddTicks(6_823_477), parked);
    }

    [Fact]
    public void ADeadLetteredMessageIsParkedWhenTheBrokerDeadLetteredIt()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_796_642_951), ParkedTime.Of(DeadLettered("delivery_limit", 1_796_642_951)));
    }

    [Fact]
    public void NoRecordedTimeIsNull()
    {
        Assert.Null(ParkedTime.Of(new Dictionary<string, object?> { ["pipeline-parked-reason"] = Bytes("worker-crashed") }));
        Assert.Null(ParkedTime.Of(null));
    }
}
