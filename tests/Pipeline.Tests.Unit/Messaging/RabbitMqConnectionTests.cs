using Pipeline.Messaging;

namespace Pipeline.Tests.Unit.Messaging;

public sealed class RabbitMqConnectionTests
{
    [Fact]
    public void FullConnectionStringIsParsedWithEscapedPassword()
    {
        var connection = RabbitMqConnection.Parse("amqp://user:p%40ss@host:5673/vh");

        Assert.Equal(new RabbitMqConnection("host", 5673, "vh", "user", "p@ss"), connection);
    }

    [Fact]
    public void MissingPartsTakeRabbitMqDefaults()
    {
        var connection = RabbitMqConnection.Parse("amqp://127.0.0.1/");

        Assert.Equal(new RabbitMqConnection("127.0.0.1", 5672, "/", "guest", "guest"), connection);
    }

    [Fact]
    public void EscapedVirtualHostIsUnescaped()
    {
        Assert.Equal("/", RabbitMqConnection.Parse("amqp://guest:guest@rabbit:5672/%2F").VirtualHost);
    }

    [Fact]
    public void TextFormNamesTheHostButNeverThePassword()
    {
        var text = RabbitMqConnection.Parse("amqp://worker:s3cret-pass@rabbit:5673/prod").ToString();

        Assert.Equal("amqp://worker@rabbit:5673/prod", text);
        Assert.DoesNotContain("s3cret-pass", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://x")]
    [InlineData("rabbit:5672")]
    [InlineData("")]
    public void NonAmqpStringIsRefused(string connectionString)
    {
        var error = Assert.Throws<FormatException>(() => RabbitMqConnection.Parse(connectionString));

        Assert.Contains("amqp://", error.Message, StringComparison.Ordinal);
    }
}
