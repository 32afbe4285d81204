using Pipeline.Sources.Urls;

namespace Pipeline.Tests.Unit.Sources;

/// <summary>Settings the worker refuses to start with, each named in the error.</summary>
public sealed class UrlSourceOptionsValidatorTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.True(new UrlSourceOptionsValidator().Validate(null, new UrlSourceOptions()).Succeeded);

    [Fact]
    public void NetworksHostsAndUserAgentsThatParseAreValid()
    {
        var options = new UrlSourceOptions { UserAgent = "Pipeline/2.0 (+ops@example.com)" };
        options.AllowedNetworks.Add("127.0.0.0/8");
        options.AllowedNetworks.Add("fd00::/8");
        options.AllowedHosts.Add("images.example.com");
        options.AllowedHosts.Add("*.cdn.example.net");

        Assert.True(new UrlSourceOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("AllowedNetworks", "10.0.0.1/8", "Sources:Url:AllowedNetworks:0 '10.0.0.1/8'")]
    [InlineData("AllowedNetworks", "intranet", "Sources:Url:AllowedNetworks:0 'intranet'")]
    [InlineData("AllowedNetworks", "10.0.0.0/33", "Sources:Url:AllowedNetworks:0")]
    [InlineData("AllowedHosts", "*", "Sources:Url:AllowedHosts:0 '*'")]
    [InlineData("AllowedHosts", "https://images.example.com", "Sources:Url:AllowedHosts:0")]
    [InlineData("UserAgent", "", "Sources:Url:UserAgent")]
    [InlineData("UserAgent", "two\nlines", "Sources:Url:UserAgent")]
    public void BadValuesAreRefusedNamingTheSetting(string setting, string value, string named)
    {
        var options = new UrlSourceOptions();
        switch (setting)
        {
            case "AllowedNetworks": options.AllowedNetworks.Add(value); break;
            case "AllowedHosts": options.AllowedHosts.Add(value); break;
            default: options.UserAgent = value; break;
        }

        var result = new UrlSourceOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage, StringComparison.Ordinal);
    }
}
