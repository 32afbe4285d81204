using MassTransit;
using RabbitMQ.Client;

namespace Pipeline.Messaging;

/// <summary>An <c>amqp://user:password@host:port/vhost</c> connection string, applied to MassTransit.</summary>
public sealed record RabbitMqConnection(string Host, ushort Port, string VirtualHost, string Username, string Password)
{
    public static RabbitMqConnection Parse(string connectionString)
    {
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "rabbitmq"))
        {
            throw new FormatException("ConnectionStrings:RabbitMq must look like amqp://user:password@host:5672/vhost.");
        }

        var credentials = uri.UserInfo.Split(':', 2);
        var virtualHost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new RabbitMqConnection(
            uri.Host,
            (ushort)(uri.IsDefaultPort || uri.Port < 0 ? 5672 : uri.Port),
            virtualHost.Length == 0 ? "/" : virtualHost,
            credentials[0].Length == 0 ? "guest" : Uri.UnescapeDataString(credentials[0]),
            credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "guest");
    }

    /// <summary>Where it connects, without the password: a record's generated text would print it into any log.</summary>
    public override string ToString() => $"amqp://{Username}@{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}";

    /// <summary>A RabbitMQ.Client factory for the same broker, for tools that read queues directly (status, redrive).</summary>
    public ConnectionFactory CreateConnectionFactory() => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = Username,
        Password = Password,
    };

    public void Configure(IRabbitMqBusFactoryConfigurator bus) =>
        bus.Host(Host, Port, VirtualHost, host =>
        {
            host.Username(Username);
            host.Password(Password);
        });
}
