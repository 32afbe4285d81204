using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Pipeline.Sources.Urls;

namespace Pipeline.Tests.Unit.Sources;

/// <summary>DNS as a test wants it: any name answers the addresses it is given, other names do not exist.</summary>
internal sealed class FakeResolver : IHostResolver
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _answers = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentQueue<string> Lookups { get; } = new();

    public FakeResolver Answer(string host, params string[] addresses)
    {
        _answers[host] = [.. addresses.Select(IPAddress.Parse)];
        return this;
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Lookups.Enqueue(host);
        return _answers.TryGetValue(host, out var addresses)
            ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }
}
