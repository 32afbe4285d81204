using Pipeline.Contracts;

namespace Pipeline.Api.Images;

/// <summary>
/// Image ids may hold '/': a watched blob's id is <c>blob:{container}/{name}</c>. Clients send it escaped as %2F, which
/// the server leaves encoded in route values (decoding it would change the path's segments), so handlers decode it.
/// </summary>
internal static class ImageRouteId
{
    /// <summary>The id a route names: <c>%2F</c> decoded, in the NFC form ids are stored in.</summary>
    public static string Decode(string routeValue) => ImageIds.Normalize(routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase));
}
