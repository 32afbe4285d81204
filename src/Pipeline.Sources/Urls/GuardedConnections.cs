using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Pipeline.Sources.Urls;

/// <summary>
/// The only way a <c>url</c> source's request reaches the network. The host is resolved here, every address is
/// checked, and the socket is connected to a checked address, so DNS cannot answer one address to the check and
/// another to the connection (rebinding). Nothing else may resolve or connect: no proxy (it would resolve the host
/// itself), no automatic redirects (<see cref="UrlImageFetcher"/> checks each one).
/// </summary>
public sealed class GuardedConnections(UrlGuard guard, IHostResolver resolver, IOptions<UrlSourceOptions> options)
{
    public SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(options.Value.ConnectTimeoutSeconds),
        // Pooled connections keep the address they were checked with; renewing them lets DNS changes through, checked.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        // A body left unread (over the cap, refused) closes its connection rather than being drained in the
        // background to reuse it: the rest of an untrusted server's answer is not worth reading.
        MaxResponseDrainSize = 0,
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var url = context.InitialRequestMessage.RequestUri
            ?? throw new InvalidOperationException("A request without a URI reached the connection callback.");
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // Every address, not only the first: a name answering one public and one private address would otherwise
        // reach the private one whenever the public one does not answer.
        foreach (var address in addresses)
        {
            if (guard.RefuseAddress(url, address) is { } refusal)
            {
                throw new UrlRefusedException(refusal);
            }
        }

        return await ConnectToFirstAsync(addresses, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Stream> ConnectToFirstAsync(IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}
