using System.Net;
using System.Net.Sockets;

namespace Pipeline.Testing;

/// <remarks>One file, compiled into the fault tests and the benchmarks (see their csproj).</remarks>
public static class TcpPorts
{
    /// <summary>A loopback port nothing listens on right now (the OS picks it).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
