using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Pipeline.Api.Hosting;
using Pipeline.Api.Owners;
using Pipeline.Imaging;
using Pipeline.Storage;

namespace Pipeline.Api.Settings;

/// <summary>
/// The downscale settings (the original's <c>config</c> with halve_rate / min_size): the longest side an image is
/// reduced to before the models see it, and the shortest side it is never reduced below. Stored in Postgres, where
/// every worker's decode stage reads them (within Imaging:StoredSettingsRefreshMs); without a stored value each
/// worker uses its own Imaging configuration, shown here as this API's.
/// </summary>
public static class DownscaleEndpoints
{
    private const int MinMaxSide = 16;
    private const int MaxSideLimit = 100_000;

    public static RouteGroupBuilder MapDownscaleEndpoints(this RouteGroupBuilder v1)
    {
        var settings = v1.MapGroup("/settings/downscale").WithTags("Settings");
        settings.MapGet("/", GetAsync)
            .WithSummary("The downscale settings in force")
            .Produces<DownscaleSettingsView>();
        settings.MapPut("/", PutAsync)
            .WithSummary("Change the downscale settings for every worker (Api:SettingsAdministrators only)")
            .Produces<DownscaleSettingsView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        settings.MapDelete("/", DeleteAsync)
            .WithSummary("Go back to the workers' own Imaging configuration (Api:SettingsAdministrators only)")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return v1;
    }

    private static async Task<IResult> GetAsync(DownscaleSettingsStore store, IOptions<ImagingOptions> configured, CancellationToken cancellationToken)
    {
        var stored = await store.FindAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(stored is null
            ? new DownscaleSettingsView(configured.Value.MaxSide, configured.Value.MinSide, DownscaleSettingsView.FromConfiguration, null, null)
            : new DownscaleSettingsView(stored.MaxSide, stored.MinSide, DownscaleSettingsView.FromStore, stored.UpdatedBy, stored.UpdatedAt));
    }

    private static async Task<IResult> PutAsync(
        DownscaleSettingsRequest request, HttpContext http, DownscaleSettingsStore store, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var owner = http.User.Owner();
        if (NotAdministrator(owner, options.Value) is { } forbidden)
        {
            return forbidden;
        }

        var errors = new Dictionary<string, string[]>();
        if (request.MaxSide is not (>= MinMaxSide and <= MaxSideLimit))
        {
            errors["maxSide"] = [$"maxSide must be {MinMaxSide}–{MaxSideLimit} pixels."];
        }

        if (request.MinSide is not (>= 1 and <= MaxSideLimit))
        {
            errors["minSide"] = [$"minSide must be 1–{MaxSideLimit} pixels."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, "The downscale settings are out of range.");
        }

        var saved = await store.SaveAsync(request.MaxSide!.Value, request.MinSide!.Value, owner, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new DownscaleSettingsView(saved.MaxSide, saved.MinSide, DownscaleSettingsView.FromStore, saved.UpdatedBy, saved.UpdatedAt));
    }

    private static async Task<IResult> DeleteAsync(
        HttpContext http, DownscaleSettingsStore store, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        if (NotAdministrator(http.User.Owner(), options.Value) is { } forbidden)
        {
            return forbidden;
        }

        await store.ResetAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult? NotAdministrator(string owner, ApiOptions options) =>
        options.SettingsAdministrators.Contains(owner, StringComparer.Ordinal)
            ? null
            : ApiProblems.Forbidden("The downscale settings apply to every owner's images: only the owners in Api:SettingsAdministrators may change them.");
}

/// <param name="MaxSide">Reduce so the longer side is at most this many pixels (the original's halve_rate, as a target instead of a ratio).</param>
/// <param name="MinSide">Never reduce the shorter side below this (the original's min_size); wins over MaxSide.</param>
public sealed record DownscaleSettingsRequest(int? MaxSide, int? MinSide);

/// <param name="Source"><c>stored</c> (set through this API, every worker uses it) or <c>configuration</c> (nothing stored: each worker's Imaging settings apply).</param>
public sealed record DownscaleSettingsView(int MaxSide, int MinSide, string Source, string? UpdatedBy, DateTimeOffset? UpdatedAt)
{
    public const string FromStore = "stored";
    public const string FromConfiguration = "configuration";
}
