namespace Pipeline.Sources.Urls;

/// <summary>
/// Thrown inside the connection callback, where only exceptions can leave; HttpClient wraps it and
/// <see cref="UrlImageFetcher"/> turns it into the image's <c>url-not-allowed</c>.
/// </summary>
internal sealed class UrlRefusedException(string message) : Exception(message);
