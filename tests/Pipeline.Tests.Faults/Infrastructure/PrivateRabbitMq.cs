using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using RabbitMQ.Client;

namespace Pipeline.Tests.Faults.Infrastructure;

/// <summary>
/// A RabbitMQ node of the tests' own (node <c>fault-…@localhost</c>, free loopback ports, a user with a random
/// password, state in a temporary folder), started the way deploy/local/services.sh starts the shared one, so that it
/// can be killed and restarted mid-run. It registers with the epmd the shared node already runs.
/// </summary>
internal sealed class PrivateRabbitMq : IAsyncDisposable
{
    private const string Account = "rabbitmq";

    private readonly string _folder;
    private readonly Dictionary<string, string> _environment;

    private PrivateRabbitMq(string folder, int port, string password)
    {
        _folder = folder;
        Port = port;
        Password = password;
        var node = "fault-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        _environment = new Dictionary<string, string>
        {
            ["RABBITMQ_NODENAME"] = node + "@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = TcpPorts.Free().ToString(CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(folder, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(folder, "log"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(folder, "rabbitmq.pid"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(folder, "rabbitmq.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(folder, "enabled_plugins"),
        };
        if (!Commands.RunningAsRoot)
        {
            // Run directly as this user: its own Erlang cookie, in the node's folder.
            _environment["HOME"] = folder;
        }
    }

    public int Port { get; }

    public const string Username = "fault";

    /// <summary>Random, so a test can prove it never reaches a log.</summary>
    public string Password { get; }

    public string ConnectionString => $"amqp://{Username}:{Password}@127.0.0.1:{Port}/";

    public static async Task<PrivateRabbitMq> StartAsync(string folder, CancellationToken cancellationToken)
    {
        if (!File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server"))
        {
            throw new InvalidOperationException(
                "rabbitmq-server is not installed: the fault tests run a private node of it (deploy/local/services.sh up installs it).");
        }

        Directory.CreateDirectory(Path.Combine(folder, "mnesia"));
        Directory.CreateDirectory(Path.Combine(folder, "log"));
        var rabbit = new PrivateRabbitMq(folder, TcpPorts.Free(), "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));
        await File.WriteAllTextAsync(Path.Combine(folder, "enabled_plugins"), "[].", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(
            Path.Combine(folder, "rabbitmq.conf"),
            $"""
            listeners.tcp.1 = 127.0.0.1:{rabbit.Port}
            default_user = {Username}
            default_pass = {rabbit.Password}
            {await ShippedSettingsAsync(cancellationToken).ConfigureAwait(false)}
            """,
            cancellationToken).ConfigureAwait(false);
        await Commands.GiveToAsync(folder, Account, cancellationToken).ConfigureAwait(false);
        await rabbit.StartAgainAsync(cancellationToken).ConfigureAwait(false);
        return rabbit;
    }

    /// <summary>Boots the node and waits until it takes AMQP connections.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        var server = Commands.RunningAsRoot ? "/usr/sbin/rabbitmq-server" : "/usr/lib/rabbitmq/bin/rabbitmq-server";
        // The Debian wrapper switches to the rabbitmq user when run as root (as services.sh relies on).
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec {server} >>'{Path.Combine(_folder, "log", "console.log")}' 2>&1 </dev/null");
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        using (Process.Start(start))
        {
        }

        var watch = Stopwatch.StartNew();
        while (!await AcceptsConnectionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new TimeoutException($"The private RabbitMQ node did not start within 120 s; see {Path.Combine(_folder, "log")}.");
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>SIGKILL to the Erlang VM: every client's connection drops, nothing is shut down cleanly.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        var pidFile = _environment["RABBITMQ_PID_FILE"];
        var pid = int.Parse((await File.ReadAllTextAsync(pidFile, cancellationToken).ConfigureAwait(false)).Trim(), CultureInfo.InvariantCulture);
        using (var vm = Process.GetProcessById(pid))
        {
            vm.Kill();
            await vm.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }

        File.Delete(pidFile);
    }

    public ConnectionFactory ConnectionFactory() => new()
    {
        HostName = "127.0.0.1",
        Port = Port,
        UserName = Username,
        Password = Password,
        RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
    };

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(_environment["RABBITMQ_PID_FILE"]))
        {
            await KillAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<bool> AcceptsConnectionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await ConnectionFactory().CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            return File.Exists(_environment["RABBITMQ_PID_FILE"]);
        }
        catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            return false;
        }
    }

    /// <summary>The broker settings the project ships (deploy/local/rabbitmq.conf), so the tests run under them.</summary>
    private static Task<string> ShippedSettingsAsync(CancellationToken cancellationToken) =>
        File.ReadAllTextAsync(Path.Combine(FaultServices.RepositoryRoot, "deploy", "local", "rabbitmq.conf"), cancellationToken);
}
