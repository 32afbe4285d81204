namespace Pipeline.Worker.Intake.Watching;

/// <summary>Makes the <see cref="ContainerLease"/> of each watched container, on the worker's database.</summary>
public sealed class ContainerLeases(string connectionString, ILogger<ContainerLease> logger)
{
    public ContainerLease Create(string container) => new(connectionString, container, logger);
}
