using System.Security.Cryptography;
using Npgsql;

namespace Pipeline.Tests.Faults.Infrastructure;

/// <summary>
/// A PostgreSQL 15 cluster of the tests' own (initdb in a temporary folder, a free loopback port, a random password),
/// so that it can be stopped and started mid-run without touching the shared server. pgvector is the one installed
/// for the shared server (deploy/local/services.sh builds it into the same PostgreSQL).
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private const string Account = "postgres";

    private readonly string _data;
    private readonly string _log;

    private PrivatePostgres(string folder, int port, string password)
    {
        _data = Path.Combine(folder, "data");
        _log = Path.Combine(folder, "postgres.log");
        Port = port;
        Password = password;
    }

    public int Port { get; }

    /// <summary>The superuser's password: random, so a test can prove it never reaches a log.</summary>
    public string Password { get; }

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Password = Password,
            Database = database,
            // A stopped server must fail a test's own queries quickly, not after the default 15 s.
            Timeout = 5,
        }.ConnectionString;

    public static async Task<PrivatePostgres> StartAsync(string folder, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL 15 is not installed in {Bin}: the fault tests run a private cluster of it (deploy/local/services.sh up installs it).");
        }

        Directory.CreateDirectory(folder);
        var postgres = new PrivatePostgres(folder, TcpPorts.Free(), "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));
        var passwordFile = Path.Combine(folder, "password");
        await File.WriteAllTextAsync(passwordFile, postgres.Password, cancellationToken).ConfigureAwait(false);
        await Commands.GiveToAsync(folder, Account, cancellationToken).ConfigureAwait(false);
        await Commands.RunAsync(
            Path.Combine(Bin, "initdb"),
            ["-D", postgres._data, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile", passwordFile],
            Account,
            cancellationToken).ConfigureAwait(false);
        File.Delete(passwordFile);
        // fsync only matters when the machine itself crashes; these tests stop the server, never the machine.
        await File.AppendAllTextAsync(
            Path.Combine(postgres._data, "postgresql.conf"),
            $"""

            listen_addresses = '127.0.0.1'
            port = {postgres.Port}
            unix_socket_directories = '{folder}'
            fsync = off
            max_connections = 200
            """,
            cancellationToken).ConfigureAwait(false);
        await postgres.StartAgainAsync(cancellationToken).ConfigureAwait(false);
        return postgres;
    }

    /// <summary>Stops the server the hard way (<c>pg_ctl stop -m immediate</c>): clients see their connections drop.</summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        Commands.RunAsync(Path.Combine(Bin, "pg_ctl"), ["stop", "-w", "-m", "immediate", "-D", _data], Account, cancellationToken);

    public Task StartAgainAsync(CancellationToken cancellationToken) =>
        Commands.RunAsync(Path.Combine(Bin, "pg_ctl"), ["start", "-w", "-t", "60", "-D", _data, "-l", _log], Account, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
    }
}
