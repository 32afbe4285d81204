namespace Pipeline.Api.Uploads;

/// <summary>An uploaded image whose bytes passed the cheap checks (not empty, within the size limit, a known image signature).</summary>
/// <param name="ImageId">The caller's id, or a generated one.</param>
/// <param name="MediaType">From the bytes' signature, not from what the caller declared.</param>
/// <param name="ContentHash">Lowercase hex SHA-256 of <paramref name="Bytes"/>.</param>
public sealed record IncomingImage(string ImageId, byte[] Bytes, string MediaType, string ContentHash);
