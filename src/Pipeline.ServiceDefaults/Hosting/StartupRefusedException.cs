namespace Pipeline.ServiceDefaults.Hosting;

/// <summary>
/// A check at start-up found something a person must fix first (a queue in the shape of an earlier version): the host
/// stops with this one line and exit code <see cref="HostStartup.SettingsExitCode"/>.
/// </summary>
public sealed class StartupRefusedException(string message, Exception? inner = null) : Exception(message, inner);
