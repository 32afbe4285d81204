using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Pipeline.Storage;

public static class RequiredConnectionStrings
{
    /// <summary>ConnectionStrings:<paramref name="name"/>, or a start-up error naming the setting and its variable.</summary>
    /// <exception cref="OptionsValidationException">It is not set.</exception>
    public static string RequiredConnectionString(this IConfiguration configuration, string name)
    {
        var value = configuration.GetConnectionString(name);
        return string.IsNullOrWhiteSpace(value)
            ? throw new OptionsValidationException(
                name,
                typeof(string),
                [$"ConnectionStrings:{name} is not set (environment variable ConnectionStrings__{name}); see docs/OPERATIONS.md, Configuration."])
            : value;
    }
}
