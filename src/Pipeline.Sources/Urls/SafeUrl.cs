namespace Pipeline.Sources.Urls;

/// <summary>
/// A URL as messages and logs show it: scheme, host, port and path. User names, passwords and the query (where
/// presigned URLs keep their signatures) are left out; failure messages are stored and published.
/// </summary>
internal static class SafeUrl
{
    public static string Show(Uri url) =>
        url.IsAbsoluteUri ? url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) : "(a relative URL)";
}
