using Microsoft.Extensions.Configuration;
using Pipeline.Cli.Errors;

namespace Pipeline.Cli;

/// <summary>The same settings the worker reads: appsettings.json beside the tool, then environment variables.</summary>
internal static class CliConfiguration
{
    public static IConfiguration Load() => new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .Build();

    public static string ConnectionString(this IConfiguration configuration, string name, string purpose)
    {
        var value = configuration.GetConnectionString(name);
        return string.IsNullOrWhiteSpace(value)
            ? throw new CliException(ExitCodes.Usage,
                $"ConnectionStrings__{name} is not set; it is needed {purpose}. For the local services: deploy/local/services.sh up, then . .local/services.env")
            : value;
    }
}
