using System.Security.Claims;

namespace Pipeline.Api.Owners;

public static class OwnerClaims
{
    /// <summary>The owner the request acts for (the /v1 endpoints require an authenticated owner).</summary>
    public static string Owner(this ClaimsPrincipal user) =>
        user.FindFirstValue(OwnerAuthenticationHandler.OwnerClaim)
        ?? throw new InvalidOperationException("The endpoint was reached without an authenticated owner.");
}
