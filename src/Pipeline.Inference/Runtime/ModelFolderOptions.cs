using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Pipeline.Inference.Runtime;

/// <summary>Options of a model loaded from a folder (<c>{Section}:Path</c>).</summary>
public interface IModelFolderOptions
{
    /// <summary>The configuration section, for messages (<c>Models:ImageEmbedder</c>).</summary>
    static abstract string SectionName { get; }

    /// <summary>The folder; relative as configured, full once bound (<see cref="ModelFolders.Resolve"/>).</summary>
    string Path { get; set; }

    /// <summary>Whether the model is to be loaded at all (a path is set and the model is switched on).</summary>
    bool IsWanted { get; }
}

public static class ModelFolderOptions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/>, resolves its path (<see cref="ModelFolders"/>) and refuses to start when a
    /// wanted folder does not exist, with one line naming the setting and the folder looked for.
    /// </summary>
    public static OptionsBuilder<TOptions> AddModelFolderOptions<TOptions>(this IServiceCollection services, IConfiguration configuration)
        where TOptions : class, IModelFolderOptions
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, FolderExists<TOptions>>());
        return services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(TOptions.SectionName))
            .PostConfigure(options => options.Path = ModelFolders.Resolve(options.Path))
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }

    private sealed class FolderExists<TOptions> : IValidateOptions<TOptions>
        where TOptions : class, IModelFolderOptions
    {
        public ValidateOptionsResult Validate(string? name, TOptions options) =>
            options.IsWanted && ModelFolders.Problem($"{TOptions.SectionName}:Path", options.Path) is { } problem
                ? ValidateOptionsResult.Fail(problem)
                : ValidateOptionsResult.Success;
    }
}
