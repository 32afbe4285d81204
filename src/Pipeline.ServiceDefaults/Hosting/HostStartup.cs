using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Pipeline.ServiceDefaults.Hosting;

/// <summary>
/// Builds and runs a host so that a mistake in its settings (a missing connection string, a model folder that is not
/// there, a value out of range) ends the process before anything starts, with one line per problem on standard error
/// and exit code <see cref="SettingsExitCode"/>, instead of a stack trace.
/// </summary>
public static class HostStartup
{
    /// <summary>The exit code of a host whose settings are not valid.</summary>
    public const int SettingsExitCode = 2;

    /// <param name="name">How the process names itself in the message (<c>Pipeline.Worker</c>).</param>
    /// <param name="build">Registers the services and builds the host (settings are read and some checked here).</param>
    public static async Task<int> RunAsync(string name, Func<IHost> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        IHost host;
        try
        {
            host = build();
            // Every ValidateOnStart check, now rather than halfway through the host's start.
            host.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception e) when (Failures(e) is { Count: > 0 } failures)
        {
            foreach (var failure in failures)
            {
                await Console.Error.WriteLineAsync($"{name}: {failure}").ConfigureAwait(false);
            }

            return SettingsExitCode;
        }

        using (host)
        {
            try
            {
                await host.RunAsync().ConfigureAwait(false);
            }
            catch (StartupRefusedException refused)
            {
                await Console.Error.WriteLineAsync($"{name}: {refused.Message}").ConfigureAwait(false);
                return SettingsExitCode;
            }
        }

        return Environment.ExitCode;
    }

    private static List<string> Failures(Exception exception) => exception switch
    {
        OptionsValidationException options => [.. options.Failures],
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) =>
            [.. aggregate.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures)],
        _ => [],
    };
}
