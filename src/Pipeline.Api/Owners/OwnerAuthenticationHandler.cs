using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;

namespace Pipeline.Api.Owners;

/// <summary>
/// Makes the caller's owner id the request's identity: from an API key mapped to an owner in configuration, or from
/// the <c>X-Owner-Id</c> header where <see cref="OwnerOptions.TrustOwnerHeader"/> allows it.
/// </summary>
public sealed class OwnerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    IOptions<OwnerOptions> owners,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string SchemeName = "Owner";
    public const string ApiKeyHeader = "X-Api-Key";
    public const string OwnerHeader = "X-Owner-Id";
    public const string OwnerClaim = "owner";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers.TryGetValue(ApiKeyHeader, out var key))
        {
            return Task.FromResult(OwnerOfKey(key.ToString()) is { } keyOwner
                ? Success(keyOwner)
                : AuthenticateResult.Fail($"The {ApiKeyHeader} is not a configured API key."));
        }

        if (owners.Value.TrustOwnerHeader && Request.Headers.TryGetValue(OwnerHeader, out var header))
        {
            var owner = header.ToString();
            return Task.FromResult(ImageIds.IsValidOwner(owner)
                ? Success(owner)
                : AuthenticateResult.Fail($"{OwnerHeader} must be {ImageIds.OwnerRule}."));
        }

        return Task.FromResult(AuthenticateResult.NoResult());
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false)).Failure?.Message;
        var expected = owners.Value.TrustOwnerHeader
            ? $"Send {ApiKeyHeader} or {OwnerHeader}."
            : $"Send an {ApiKeyHeader}.";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Who is asking?",
                Detail = failure is null ? $"Every /v1 request acts for one owner. {expected}" : $"{failure} {expected}",
            },
        }).ConfigureAwait(false);
    }

    private string? OwnerOfKey(string key)
    {
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        string? owner = null;
        // Every configured key is compared in constant time, so the answer's timing says nothing about the keys.
        foreach (var candidate in owners.Value.ApiKeys)
        {
            if (CryptographicOperations.FixedTimeEquals(given, SHA256.HashData(Encoding.UTF8.GetBytes(candidate.Key))))
            {
                owner = candidate.Owner;
            }
        }

        return owner;
    }

    private static AuthenticateResult Success(string owner)
    {
        var identity = new ClaimsIdentity([new Claim(OwnerClaim, owner)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
